import { call, session } from '../api.js';
import { field, h, messageSlot } from '../dom.js';
import { navigate } from '../router.js';
import { me } from '../session.js';

/** Log in with a token, as dstack's UI does: the admin token is printed when `dstack server` starts. */
export async function loginPage(view, ctx) {
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'current-password', required: true, autofocus: true });
  const remember = h('input', { type: 'checkbox', name: 'remember' });
  const slot = messageSlot();
  const submit = h('button', { type: 'submit' }, 'Log in');
  const form = h('form', { class: 'card narrow', 'aria-label': 'Log in' },
    h('h1', {}, 'Log in to dstack'),
    h('p', {}, 'Paste your token. The admin token is printed when ',
      h('code', {}, 'dstack server'), ' starts; other users get theirs from an admin or from ',
      h('code', {}, '~/.dstack/config.yml'), '.'),
    ctx.query.get('reason') ? h('div', { class: 'error', role: 'alert' }, ctx.query.get('reason')) : null,
    field('Token', token),
    h('label', { class: 'check' }, remember, ' Remember me on this device'),
    slot,
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    submit.disabled = true;
    slot.clear();
    try {
      await call('users/get_my_user', undefined, token.value.trim());
      session.save(token.value.trim(), remember.checked);
      me.forget();
      const next = ctx.query.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('/login') ? next : '/runs');
    } catch (err) {
      slot.show(err.status === 403 || err.status === 401 ? new Error('This token is not valid.') : err);
    } finally {
      submit.disabled = false;
    }
  });
  view.append(form);
  token.focus();
}
