import { call } from '../api.js';
import { act, confirmAction, field, h, link, messageSlot, section, seg, select, table, time } from '../dom.js';
import { me } from '../session.js';

const ROLES = ['user', 'admin'];

/** Users, for global admins: list, create, change the global role, refresh a token, delete. */
export async function usersPage(view) {
  const user = await me();
  if (user.global_role !== 'admin') {
    view.append(h('h1', {}, 'Users'), h('p', {}, 'Only global admins manage users. ', link('/account', 'Your account')));
    return;
  }
  const slot = messageSlot();
  const list = h('div');
  const created = h('div');
  const refresh = async () => {
    const users = await call('users/list', {});
    list.replaceChildren(usersTable(users, slot, created, refresh));
  };
  const username = h('input', { name: 'username', required: true, pattern: '[a-zA-Z0-9_-]{1,60}', autocomplete: 'off' });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'off' });
  const role = select(ROLES, 'user', { name: 'global_role' });
  const create = h('button', { type: 'submit' }, 'Create user');
  const form = h('form', { class: 'inline', 'aria-label': 'Create a user' },
    field('User name', username), field('Email (optional)', email), field('Global role', role), create);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const name = username.value.trim();
    const made = await act(create, slot, () => call('users/create',
      { username: name, global_role: role.value, email: email.value.trim() || null }));
    if (!made) return;
    username.value = '';
    email.value = '';
    const withToken = await call('users/get_user', { username: name });
    created.replaceChildren(tokenNotice(name, withToken.creds.token));
    await refresh();
  });
  view.append(h('h1', {}, 'Users'), slot, created, section('Users', list), section('New user', form));
  await refresh();
}

/** A token shown once, with what to do with it. */
export function tokenNotice(username, token) {
  return h('div', { class: 'notice', role: 'status' },
    h('p', {}, `The token of ${username} (give it to them; they log in with it and use it in `,
      h('code', {}, 'dstack project add --token'), '):'),
    h('code', { class: 'token', 'data-user': username }, token));
}

/** notices: where a new token is shown (one at a time). */
function usersTable(users, slot, notices, refresh) {
  return table({
    label: 'Users',
    rows: users,
    columns: [
      { title: 'User', value: u => link(`/users/${seg(u.username)}`, u.username) },
      {
        title: 'Global role',
        value: u => {
          const choice = select(ROLES, u.global_role, { 'aria-label': `Global role of ${u.username}` });
          choice.addEventListener('change', async () => {
            const done = await act(choice, slot, () => call('users/update',
              { username: u.username, global_role: choice.value, email: u.email, active: u.active }));
            if (done) slot.show(`${u.username} is now ${choice.value}.`);
            else choice.value = u.global_role;
          });
          return choice;
        },
      },
      { title: 'Email', value: u => u.email },
      { title: 'Active', value: u => (u.active ? 'yes' : 'no') },
      { title: 'Created', value: u => time(u.created_at) },
      {
        title: '',
        value: u => {
          const refreshToken = h('button', { type: 'button', class: 'secondary small' }, `New token for ${u.username}`);
          refreshToken.addEventListener('click', async () => {
            if (!(await confirmAction(`Give ${u.username} a new token? The current one stops working at once.`, 'New token'))) return;
            const result = await act(refreshToken, slot, () => call('users/refresh_token', { username: u.username }));
            if (result?.creds) notices.replaceChildren(tokenNotice(u.username, result.creds.token));
          });
          if (u.username === 'admin') return refreshToken;
          const remove = h('button', { type: 'button', class: 'danger small' }, `Delete ${u.username}`);
          remove.addEventListener('click', async () => {
            if (!(await confirmAction(`Delete user ${u.username}? They lose access to every project.`, 'Delete user'))) return;
            await act(remove, slot, async () => {
              await call('users/delete', { users: [u.username] });
              notices.replaceChildren();
              await refresh();
              return `${u.username} deleted.`;
            });
          });
          return h('span', { class: 'actions' }, refreshToken, remove);
        },
      },
    ],
  });
}
