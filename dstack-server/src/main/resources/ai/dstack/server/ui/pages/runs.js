import { call } from '../api.js';
import { act, errorBox, field, h, link, price, resources, section, seg, select, status, table, time } from '../dom.js';
import { navigate } from '../router.js';
import { me, projectNames } from '../session.js';

/** The latest submission of a run's first job: where and how it runs. */
export function latest(run) {
  return run.latest_job_submission ?? run.jobs?.[0]?.job_submissions?.at(-1) ?? null;
}

/** "failed (job_failed: exited (1))": the status message and the reason a run or job ended. */
export function reasonOf(item) {
  const parts = [item.termination_reason, item.termination_reason_message, item.error].filter(Boolean);
  return parts.length ? parts.join(': ') : null;
}

/** The runs of every project the user is in, with filters kept in the address (so they survive a reload). */
export async function runsPage(view, ctx) {
  const [projects, user] = await Promise.all([projectNames(), me()]);
  const users = user.global_role === 'admin' ? (await call('users/list', {})).map(u => u.username) : [user.username];
  const q = ctx.query;
  const project = select([['', 'All projects'], ...projects], q.get('project') ?? '', { name: 'project' });
  const owner = select([['', 'Everyone'], ...users], q.get('user') ?? '', { name: 'user' });
  const active = h('input', { type: 'checkbox', name: 'active', checked: q.get('active') === '1' });
  const live = h('input', { type: 'checkbox', name: 'live', checked: q.get('live') !== '0' });
  const filters = h('form', { class: 'filters', 'aria-label': 'Filters' },
    field('Project', project), field('User', owner),
    h('label', { class: 'check' }, active, ' Active only'),
    h('label', { class: 'check' }, live, ' Live refresh'));
  const apply = () => {
    const next = new URLSearchParams();
    if (project.value) next.set('project', project.value);
    if (owner.value) next.set('user', owner.value);
    if (active.checked) next.set('active', '1');
    if (!live.checked) next.set('live', '0');
    const text = next.toString();
    navigate(`/runs${text ? `?${text}` : ''}`);
  };
  filters.addEventListener('change', apply);
  filters.addEventListener('submit', e => e.preventDefault());
  const list = h('div', { id: 'runs-list' });
  const more = h('button', { type: 'button', class: 'secondary', id: 'more-runs', hidden: true }, 'Show older runs');
  view.append(h('h1', {}, 'Runs'), filters, section('Runs', list, h('div', { class: 'actions' }, more)));

  // The newest page is refreshed live; older pages, once asked for, are kept as they were read.
  const query = last => call('runs/list', {
    project_name: project.value || null, username: owner.value || null, only_active: active.checked,
    include_jobs: true, job_submissions_limit: 1, limit: PAGE,
    prev_submitted_at: last?.submitted_at ?? null, prev_run_id: last?.id ?? null,
  });
  let newest = [];
  let older = [];
  let shown = null;
  const draw = () => {
    const runs = [...newest, ...older.filter(r => !newest.some(n => n.id === r.id))];
    // Only redraw when something changed, so that focus and selection survive a live refresh.
    const key = JSON.stringify(runs);
    if (key === shown || !ctx.alive()) return;
    shown = key;
    list.replaceChildren(runsTable(runs));
    more.hidden = (older.length ? older.length % PAGE : newest.length % PAGE) !== 0 || !runs.length;
  };
  const refresh = async () => {
    try {
      newest = await query(null);
    } catch (e) {
      list.replaceChildren(errorBox(e));
      shown = null;
      return;
    }
    draw();
  };
  more.addEventListener('click', async () => {
    const page = await act(more, null, () => query((older.length ? older : newest).at(-1))).catch(e => {
      list.append(errorBox(e));
      return null;
    });
    if (!page) return;
    older = [...older, ...page];
    if (page.length < PAGE) more.hidden = true;
    draw();
  });
  await refresh();
  if (live.checked) ctx.every(3000, refresh);
}

const PAGE = 100;

function runsTable(runs) {
  return table({
    label: 'Runs',
    empty: 'No runs. Submit one with: dstack apply -f <file>.dstack.yml',
    rowClass: run => (run.deleted ? 'deleted' : null),
    rows: runs,
    columns: [
      { title: 'Project', value: r => r.project_name },
      { title: 'Name', value: r => link(`/projects/${seg(r.project_name)}/runs/${seg(r.run_spec.run_name)}`, r.run_spec.run_name) },
      { title: 'Type', value: r => r.run_spec.configuration?.type },
      { title: 'Status', value: r => h('span', {}, status(r.status), reasonOf(r) ? h('small', { class: 'reason' }, ` ${reasonOf(r)}`) : null) },
      { title: 'User', value: r => r.user },
      { title: 'Submitted', value: r => time(r.submitted_at) },
      { title: 'Price', value: r => price(latest(r)?.job_provisioning_data?.price) },
      { title: 'Backend / fleet', value: r => backendOf(r) },
      { title: 'Resources', value: r => resources(latest(r)?.job_provisioning_data?.instance_type?.resources) },
    ],
  });
}

export function backendOf(run) {
  const data = latest(run)?.job_provisioning_data;
  const where = data ? [data.backend, data.region].filter(Boolean).join(' / ') : null;
  const fleet = run.fleet?.name;
  return [where, fleet ? `fleet ${fleet}` : null].filter(Boolean).join(', ') || null;
}
