import { projectCall } from '../api.js';
import { act, field, h, messageSlot, price, resources, section, select, status, table } from '../dom.js';
import { projectNames } from '../session.js';

/** The offers a configuration would get, as `dstack offer` shows them: resources and filters -> runs/get_plan. */
export async function offersPage(view, ctx) {
  const projects = await projectNames();
  const q = ctx.query;
  const input = (name, placeholder, hint) => field(hint.label, h('input', { name, placeholder, value: q.get(name) ?? '' }), hint.text);
  const project = select(projects, q.get('project') ?? projects[0], { name: 'project' });
  const spot = select([['', 'default (on-demand)'], 'on-demand', 'spot', 'auto'], q.get('spot_policy') ?? '', { name: 'spot_policy' });
  const form = h('form', { class: 'grid', 'aria-label': 'Resources and filters' },
    field('Project', project),
    input('gpu', 'A100:80GB:2', { label: 'GPU', text: 'name:memory:count, e.g. 24GB.. or H100:8' }),
    input('cpu', '2..', { label: 'CPU', text: 'count or range, e.g. 4.. or arm:8' }),
    input('memory', '8GB..', { label: 'Memory', text: 'e.g. 16GB..' }),
    input('disk', '100GB..', { label: 'Disk', text: 'e.g. 200GB..' }),
    field('Spot policy', spot),
    input('max_price', '', { label: 'Max price ($/h)', text: '' }),
    input('backends', '', { label: 'Backends', text: 'comma-separated, e.g. aws,gcp' }),
    input('regions', '', { label: 'Regions', text: 'comma-separated' }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'find-offers' }, 'Find offers')));
  const slot = messageSlot();
  const results = h('div', { id: 'offers' });
  view.append(h('h1', {}, 'Offers'), section('Resources', form, slot), section('Offers', results));
  if (!projects.length) {
    slot.show(new Error('You are not a member of any project: offers are per project.'));
    return;
  }
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    const plan = await act(form.querySelector('button[type=submit]'), slot,
      () => projectCall(values.project, 'runs/get_plan', { run_spec: runSpec(values), max_offers: 100, for_offers_only: true }));
    if (plan) results.replaceChildren(offersTable(plan));
  });
}

function list(text) {
  const items = (text ?? '').split(',').map(s => s.trim()).filter(Boolean);
  return items.length ? items : null;
}

/** A task that asks only for resources, like the one `dstack offer` plans. */
function runSpec(values) {
  const resourcesSpec = {};
  for (const name of ['gpu', 'cpu', 'memory', 'disk']) {
    if (values[name]?.trim()) resourcesSpec[name] = name === 'disk' ? { size: values[name].trim() } : values[name].trim();
  }
  const configuration = { type: 'task', commands: [':'], resources: resourcesSpec };
  if (values.spot_policy) configuration.spot_policy = values.spot_policy;
  if (values.max_price?.trim()) configuration.max_price = Number(values.max_price);
  if (list(values.backends)) configuration.backends = list(values.backends);
  if (list(values.regions)) configuration.regions = list(values.regions);
  return { run_name: null, configuration_path: null, configuration };
}

function offersTable(plan) {
  const job = plan.job_plans?.[0];
  const offers = job?.offers ?? [];
  return h('div', {},
    h('p', { class: 'muted' }, `${offers.length} of ${job?.total_offers ?? 0} offers`,
      job?.max_price != null ? `, up to ${price(job.max_price)}/h` : '', '.'),
    table({
      label: 'Offers',
      empty: 'No offers match: loosen the resources, or add a backend or fleet to the project.',
      rows: offers,
      columns: [
        { title: '#', value: o => String(offers.indexOf(o) + 1) },
        { title: 'Backend', value: o => o.backend },
        { title: 'Region', value: o => o.region },
        { title: 'Instance', value: o => o.instance?.name },
        { title: 'Resources', value: o => resources(o.instance?.resources) },
        { title: 'Spot', value: o => (o.instance?.resources?.spot ? 'yes' : 'no') },
        { title: 'Price', value: o => price(o.price) },
        { title: 'Availability', value: o => status(o.availability) },
      ],
    }));
}
