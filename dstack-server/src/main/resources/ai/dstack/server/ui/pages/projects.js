import { call } from '../api.js';
import { act, field, h, link, messageSlot, section, seg, table, time } from '../dom.js';
import { navigate } from '../router.js';
import { me } from '../session.js';

/** The projects the user is in (all for a global admin); create one. */
export async function projectsPage(view) {
  const [projects, user] = await Promise.all([call('projects/list', {}), me()]);
  view.append(h('h1', {}, 'Projects'), section('Projects', table({
    label: 'Projects',
    empty: 'You are not a member of any project yet.',
    rows: projects,
    columns: [
      { title: 'Name', value: p => link(`/projects/${seg(p.project_name)}`, p.project_name) },
      { title: 'Owner', value: p => p.owner?.username },
      { title: 'Public', value: p => (p.is_public ? 'yes' : 'no') },
      { title: 'Created', value: p => time(p.created_at) },
    ],
  })));
  if (!user.permissions?.can_create_projects) return;
  const name = h('input', { name: 'project_name', required: true, pattern: '[a-zA-Z0-9_-]{1,50}', autocomplete: 'off' });
  const slot = messageSlot();
  const submit = h('button', { type: 'submit' }, 'Create project');
  const form = h('form', { 'aria-label': 'Create a project' },
    field('Name', name, 'Letters, digits, - and _ (at most 50).'), slot, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const created = await act(submit, slot, () => call('projects/create', { project_name: name.value.trim() }));
    if (created?.project_name) navigate(`/projects/${seg(created.project_name)}`);
  });
  view.append(section('New project', form));
}
