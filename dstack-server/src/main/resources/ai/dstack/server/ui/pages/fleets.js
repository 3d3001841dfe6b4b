import { call, projectCall } from '../api.js';
import {
  act, confirmAction, details, errorBox, h, link, messageSlot, price, resources, section, seg, status, table, time,
} from '../dom.js';
import { navigate } from '../router.js';

/** Every fleet the user can see, with its instances' count and state. */
export async function fleetsPage(view, ctx) {
  const list = h('div');
  view.append(h('h1', {}, 'Fleets'),
    h('p', { class: 'muted' }, 'Create or change fleets with ', h('code', {}, 'dstack apply -f fleet.dstack.yml'), '.'),
    section('Fleets', list));
  let shown = null;
  const refresh = async () => {
    try {
      const fleets = await call('fleets/list', { limit: 100 });
      const key = JSON.stringify(fleets);
      if (key === shown || !ctx.alive()) return;
      shown = key;
      list.replaceChildren(table({
        label: 'Fleets',
        empty: 'No fleets.',
        rows: fleets,
        columns: [
          { title: 'Project', value: f => f.project_name },
          { title: 'Name', value: f => link(`/projects/${seg(f.project_name)}/fleets/${seg(f.name)}`, f.name) },
          { title: 'Status', value: f => status(f.status) },
          { title: 'Instances', value: f => String(f.instances.length) },
          { title: 'Busy blocks', value: f => blocksOf(f.instances) },
          { title: 'Backends', value: f => [...new Set(f.instances.map(i => i.backend).filter(Boolean))].join(', ') },
          { title: 'Created', value: f => time(f.created_at) },
        ],
      }));
    } catch (e) {
      shown = null;
      list.replaceChildren(errorBox(e));
    }
  };
  await refresh();
  ctx.every(5000, refresh);
}

function blocksOf(instances) {
  const total = instances.reduce((n, i) => n + (i.total_blocks ?? 1), 0);
  const busy = instances.reduce((n, i) => n + (i.busy_blocks ?? 0), 0);
  return `${busy}/${total}`;
}

/** A fleet's instances with resources, status, blocks, backend and price; delete the fleet or an instance. */
export async function fleetPage(view, ctx) {
  const { project, fleet: name } = ctx.params;
  const slot = messageSlot();
  const remove = h('button', { type: 'button', class: 'danger', id: 'delete-fleet' }, 'Delete fleet');
  const body = h('div');
  view.append(
    h('p', { class: 'crumbs' }, link('/fleets', 'Fleets'), ' / ', project),
    h('div', { class: 'title-row' }, h('h1', {}, name), h('div', { class: 'actions' }, remove)),
    slot, body);
  remove.addEventListener('click', async () => {
    if (!(await confirmAction(`Delete fleet ${name} and terminate its instances?`, 'Delete fleet'))) return;
    const done = await act(remove, slot, async () => {
      await projectCall(project, 'fleets/delete', { names: [name] });
      return true;
    });
    if (done === true) navigate('/fleets');
  });
  const draw = fleet => {
    body.replaceChildren(
      section('Summary', details([
        ['Project', fleet.project_name],
        ['Status', status(fleet.status)],
        ['Status message', fleet.status_message],
        ['Kind', kindOf(fleet)],
        ['Created', time(fleet.created_at)],
      ])),
      section('Instances', table({
        label: 'Instances',
        empty: 'No instances.',
        rows: fleet.instances,
        columns: [
          { title: '#', value: i => String(i.instance_num) },
          { title: 'Name', value: i => i.name },
          { title: 'Status', value: i => h('span', {}, status(i.status), i.unreachable ? ' unreachable' : '') },
          { title: 'Resources', value: i => resources(i.instance_type?.resources) },
          { title: 'Blocks busy/total', value: i => `${i.busy_blocks ?? 0}/${i.total_blocks ?? 1}` },
          { title: 'Backend', value: i => [i.backend, i.region].filter(Boolean).join(' / ') },
          { title: 'Price', value: i => price(i.price) },
          { title: 'Created', value: i => time(i.created) },
          { title: '', value: i => instanceDelete(project, name, i, slot, refresh) },
        ],
      })));
  };
  const refresh = async () => {
    try {
      const fleet = await projectCall(project, 'fleets/get', { name });
      if (ctx.alive()) draw(fleet);
    } catch (e) {
      slot.show(e);
    }
  };
  draw(await projectCall(project, 'fleets/get', { name }));
  ctx.every(5000, refresh);
}

function kindOf(fleet) {
  const configuration = fleet.spec?.configuration ?? {};
  if (configuration.ssh_config) return 'SSH hosts';
  if (configuration.nodes) return 'cloud';
  return 'built-in (the server\'s own machine)';
}

function instanceDelete(project, fleet, instance, slot, refresh) {
  if (['terminating', 'terminated'].includes(instance.status)) return null;
  const button = h('button', { type: 'button', class: 'danger small' }, `Delete ${instance.name}`);
  button.addEventListener('click', async () => {
    if (!(await confirmAction(`Delete instance ${instance.name}?`, 'Delete instance'))) return;
    await act(button, slot, async () => {
      await projectCall(project, 'fleets/delete_instances', { name: fleet, instance_nums: [instance.instance_num] });
      return `Deleting ${instance.name}…`;
    });
    await refresh();
  });
  return button;
}
