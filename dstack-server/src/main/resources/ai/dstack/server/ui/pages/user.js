import { call, session } from '../api.js';
import { act, confirmAction, details, h, link, messageSlot, section, time } from '../dom.js';
import { me } from '../session.js';
import { tokenNotice } from './users.js';

/** A user's page (#/users/<name> for admins, #/account for oneself): details, the token on request, a new token. */
export async function userPage(view, ctx) {
  const self = await me();
  const name = ctx.params.user ?? self.username;
  const own = name === self.username;
  const user = await call('users/get_user', { username: name });
  const slot = messageSlot();
  const tokenSlot = h('div', { id: 'token' });
  const show = h('button', { type: 'button', id: 'show-token' }, own ? 'Show my token' : 'Show token');
  const refresh = h('button', { type: 'button', class: 'secondary', id: 'refresh-token' }, 'New token');
  show.addEventListener('click', async () => {
    // Read again when asked, so that the token is not kept in the page before then.
    const fresh = await act(show, slot, () => call('users/get_user', { username: name }));
    if (fresh?.creds) tokenSlot.replaceChildren(tokenNotice(name, fresh.creds.token));
  });
  refresh.addEventListener('click', async () => {
    const question = own ? 'Get a new token? The current one stops working at once, here and in your CLI config.'
      : `Give ${name} a new token? The current one stops working at once.`;
    if (!(await confirmAction(question, 'New token'))) return;
    const result = await act(refresh, slot, () => call('users/refresh_token', { username: name }));
    if (!result?.creds) return;
    if (own) {
      session.save(result.creds.token, Boolean(localStorage.getItem('dstack.token')));
      me.forget();
    }
    tokenSlot.replaceChildren(tokenNotice(name, result.creds.token));
  });
  view.append(
    self.global_role === 'admin' ? h('p', { class: 'crumbs' }, link('/users', 'Users')) : null,
    h('h1', {}, own ? `${name} (you)` : name),
    section('Details', details([
      ['Global role', user.global_role],
      ['Email', user.email],
      ['Active', user.active ? 'yes' : 'no'],
      ['Created', time(user.created_at)],
      ['May create projects', user.permissions?.can_create_projects ? 'yes' : 'no'],
      ['SSH public key', user.ssh_public_key ? h('code', { class: 'wrap' }, user.ssh_public_key) : null],
    ])),
    section('Token', h('p', {}, 'The token logs in here and in the CLI (', h('code', {}, '~/.dstack/config.yml'), ').'),
      h('div', { class: 'actions' }, show, refresh), slot, tokenSlot));
  ctx.onLeave(() => tokenSlot.replaceChildren());
}
