import { call, positionsOf, projectCall } from '../api.js';
import {
  act, confirmAction, details, errorBox, field, h, link, messageSlot, section, seg, select, table,
} from '../dom.js';
import { YamlEditor } from '../editor.js';
import { navigate } from '../router.js';
import { me } from '../session.js';

const ROLES = ['user', 'manager', 'admin'];
const BACKEND_TEMPLATE = 'type: aws\ncreds:\n  type: default\n';

/** A project's settings: members and roles, backends as YAML, secrets (names only), the user's permissions. */
export async function projectPage(view, ctx) {
  const { project: name } = ctx.params;
  const user = await me();
  let project = await call(`projects/${encodeURIComponent(name)}/get`);
  const mine = () => project.members.find(m => m.user.username === user.username);
  const globalAdmin = user.global_role === 'admin';
  const role = () => (globalAdmin ? 'admin' : mine()?.project_role);
  const canManage = () => ['admin', 'manager'].includes(role());

  const members = h('div');
  const backends = h('div');
  const secrets = h('div');
  const permissions = h('div');
  const drawMembers = () => members.replaceChildren(membersOf(name, project, canManage(), user, async updated => {
    project = updated;
    drawMembers();
    drawPermissions();
  }));
  const drawPermissions = () => permissions.replaceChildren(details([
    ['Your role', globalAdmin ? `global admin${mine() ? ` (project ${mine().project_role})` : ''}` : mine()?.project_role],
    ['Manage SSH fleets', yes(globalAdmin || mine()?.permissions?.can_manage_ssh_fleets)],
    ['Manage secrets', yes(globalAdmin || mine()?.permissions?.can_manage_secrets)],
    ['Create projects', yes(user.permissions?.can_create_projects)],
    ['Public', yes(project.is_public)],
  ]));
  drawMembers();
  drawPermissions();
  view.append(
    h('p', { class: 'crumbs' }, link('/projects', 'Projects')),
    h('div', { class: 'title-row' }, h('h1', {}, name), projectActions(name, role() === 'admin')),
    h('p', {}, link(`/runs?project=${encodeURIComponent(name)}`, 'Runs of this project')),
    section('Members', members),
    section('Backends', backends),
    section('Secrets', secrets),
    section('Permissions', permissions));
  if (role() === 'admin') drawBackends(backends, name, project);
  else backends.replaceChildren(h('p', { class: 'muted' }, 'Only project admins see and change backends.'));
  if (canManage()) drawSecrets(secrets, name);
  else secrets.replaceChildren(h('p', { class: 'muted' }, 'Only project admins (and managers, when the server allows it) manage secrets.'));
}

function yes(flag) {
  return flag ? 'yes' : 'no';
}

function projectActions(name, admin) {
  if (!admin) return null;
  const slot = messageSlot();
  const remove = h('button', { type: 'button', class: 'danger', id: 'delete-project' }, 'Delete project');
  remove.addEventListener('click', async () => {
    if (!(await confirmAction(`Delete project ${name}? It must have no active runs, fleets or volumes.`, 'Delete project'))) return;
    const done = await act(remove, slot, async () => {
      await call('projects/delete', { projects_names: [name] });
      return true;
    });
    if (done === true) navigate('/projects');
  });
  return h('div', { class: 'actions' }, remove, slot);
}

function membersOf(project, data, canManage, user, updated) {
  const slot = messageSlot();
  const path = action => `projects/${encodeURIComponent(project)}/${action}`;
  const rows = table({
    label: 'Members',
    empty: 'No members.',
    rows: data.members,
    columns: [
      { title: 'User', value: m => (user.global_role === 'admin' ? link(`/users/${seg(m.user.username)}`, m.user.username) : m.user.username) },
      {
        title: 'Role',
        value: m => {
          if (!canManage) return m.project_role;
          const choice = select(ROLES, m.project_role, { 'aria-label': `Role of ${m.user.username}`, 'data-member': m.user.username });
          choice.addEventListener('change', async () => {
            const result = await act(choice, slot, () => call(path('add_members'),
              { members: [{ username: m.user.username, project_role: choice.value }] }));
            if (result?.members) updated(result);
            else choice.value = m.project_role;
          });
          return choice;
        },
      },
      {
        title: '',
        value: m => {
          if (!canManage && m.user.username !== user.username) return null;
          const own = m.user.username === user.username;
          const button = h('button', { type: 'button', class: 'secondary small' }, own ? 'Leave' : `Remove ${m.user.username}`);
          button.addEventListener('click', async () => {
            if (!(await confirmAction(own ? `Leave project ${project}?` : `Remove ${m.user.username} from ${project}?`, own ? 'Leave' : 'Remove'))) return;
            const result = await act(button, slot, () => call(path('remove_members'), { usernames: [m.user.username] }));
            if (result?.members) updated(result);
          });
          return button;
        },
      },
    ],
  });
  if (!canManage) return h('div', {}, rows, slot);
  const username = h('input', { name: 'member', required: true, autocomplete: 'off' });
  const role = select(ROLES, 'user', { name: 'member_role' });
  const add = h('button', { type: 'submit' }, 'Add member');
  const form = h('form', { class: 'inline', 'aria-label': 'Add a member' },
    field('User name or email', username), field('Role', role), add);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const result = await act(add, slot, () => call(path('add_members'),
      { members: [{ username: username.value.trim(), project_role: role.value }] }));
    if (result?.members) updated(result);
  });
  return h('div', {}, rows, form, slot);
}

function drawBackends(container, project, data) {
  const slot = messageSlot();
  const editor = new YamlEditor('backend_yaml', BACKEND_TEMPLATE);
  const heading = h('h3', {}, 'Add a backend');
  const save = h('button', { type: 'submit', id: 'save-backend' }, 'Save backend');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'New');
  let editing = null;
  const form = h('form', { 'aria-label': 'Backend YAML' }, heading,
    h('p', { class: 'muted' }, 'The same YAML as a backend in ', h('code', {}, '~/.dstack/server/config.yml'),
      '. Credentials are stored encrypted.'),
    editor.element, slot, h('div', { class: 'actions' }, save, cancel));
  const startEditing = (backend, yaml) => {
    editing = backend;
    heading.textContent = backend ? `Edit backend ${backend}` : 'Add a backend';
    editor.value = yaml;
    slot.clear();
  };
  cancel.addEventListener('click', () => startEditing(null, BACKEND_TEMPLATE));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    editor.showErrors([]);
    save.disabled = true;
    slot.clear();
    try {
      await projectCall(project, editing ? 'backends/update_yaml' : 'backends/create_yaml', { config_yaml: editor.value });
      const refreshed = await call(`projects/${encodeURIComponent(project)}/get`);
      list.replaceChildren(backendTable(refreshed.backends));
      slot.show(editing ? `Backend ${editing} saved.` : 'Backend added.');
    } catch (err) {
      const positions = positionsOf(err);
      editor.showErrors(positions, positions.length ? [] : [err.message]);
      if (positions.length) editor.goTo(positions[0].line, positions[0].column);
    } finally {
      save.disabled = false;
    }
  });
  const backendTable = backends => table({
    label: 'Backends',
    empty: 'No backends: runs use the project\'s fleets (SSH hosts, the server\'s own machine).',
    rows: backends,
    columns: [
      { title: 'Backend', value: b => b.name },
      { title: 'Regions', value: b => (b.config?.regions ?? []).join(', ') },
      {
        title: '',
        value: b => {
          const edit = h('button', { type: 'button', class: 'secondary small' }, `Edit ${b.name}`);
          const remove = h('button', { type: 'button', class: 'danger small' }, `Delete ${b.name}`);
          edit.addEventListener('click', async () => {
            const yaml = await act(edit, slot, () => projectCall(project, `backends/${encodeURIComponent(b.name)}/get_yaml`));
            if (yaml?.config_yaml != null) startEditing(b.name, yaml.config_yaml);
            editor.area.focus();
          });
          remove.addEventListener('click', async () => {
            if (!(await confirmAction(`Delete backend ${b.name}?`, 'Delete backend'))) return;
            await act(remove, slot, async () => {
              await projectCall(project, 'backends/delete', { backends_names: [b.name] });
              const refreshed = await call(`projects/${encodeURIComponent(project)}/get`);
              list.replaceChildren(backendTable(refreshed.backends));
              return `Backend ${b.name} deleted.`;
            });
          });
          return h('span', { class: 'actions' }, edit, remove);
        },
      },
    ],
  });
  const list = h('div', {}, backendTable(data.backends));
  container.replaceChildren(list, form);
}

async function drawSecrets(container, project) {
  const slot = messageSlot();
  const list = h('div');
  const refresh = async () => {
    let secrets;
    try {
      secrets = await projectCall(project, 'secrets/list');
    } catch (e) {
      list.replaceChildren(e.status === 403
        ? h('p', { class: 'muted' }, 'You may not manage this project\'s secrets (managers need the server\'s allow_managers_manage_secrets).')
        : errorBox(e));
      return false;
    }
    list.replaceChildren(table({
      label: 'Secrets',
      empty: 'No secrets. Jobs read a secret as ${{ secrets.NAME }}.',
      rows: secrets,
      columns: [
        { title: 'Name', value: s => s.name },
        {
          title: '',
          value: s => {
            const remove = h('button', { type: 'button', class: 'danger small' }, `Delete ${s.name}`);
            remove.addEventListener('click', async () => {
              if (!(await confirmAction(`Delete secret ${s.name}?`, 'Delete secret'))) return;
              await act(remove, slot, async () => {
                await projectCall(project, 'secrets/delete', { secrets_names: [s.name] });
                await refresh();
                return `Secret ${s.name} deleted.`;
              });
            });
            return remove;
          },
        },
      ],
    }));
    return true;
  };
  container.replaceChildren(list);
  if (!(await refresh())) return;
  const name = h('input', { name: 'secret_name', required: true, autocomplete: 'off' });
  const value = h('input', { name: 'secret_value', type: 'password', required: true, autocomplete: 'new-password' });
  const set = h('button', { type: 'submit' }, 'Set secret');
  const form = h('form', { class: 'inline', 'aria-label': 'Set a secret' }, field('Name', name), field('Value', value), set);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    await act(set, slot, async () => {
      await projectCall(project, 'secrets/create_or_update', { name: name.value.trim(), value: value.value });
      const saved = name.value.trim();
      name.value = '';
      value.value = '';
      await refresh();
      return `Secret ${saved} set.`;
    });
  });
  container.append(form, slot);
}
