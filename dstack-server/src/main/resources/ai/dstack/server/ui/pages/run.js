import { projectCall } from '../api.js';
import {
  act, confirmAction, details, h, link, messageSlot, price, resources, section, seg, status, table, time,
} from '../dom.js';
import { navigate } from '../router.js';
import { toYaml } from '../yaml.js';
import { backendOf, latest, reasonOf } from './runs.js';
import { LogView } from './logs.js';
import { MetricsView } from './metrics.js';

const FINISHED = ['terminated', 'failed', 'done'];

/** One run: summary, service, jobs and their history, configuration, logs as they arrive; stop, abort, delete. */
export async function runPage(view, ctx) {
  const { project, run: name } = ctx.params;
  const get = () => projectCall(project, 'runs/get', { run_name: name });
  let run = await get();

  const title = h('h1', {}, name, ' ', h('span', { id: 'run-status' }));
  const slot = messageSlot();
  const stop = h('button', { type: 'button', id: 'stop' }, 'Stop');
  const abort = h('button', { type: 'button', class: 'secondary', id: 'abort' }, 'Abort');
  const remove = h('button', { type: 'button', class: 'danger', id: 'delete' }, 'Delete');
  const summary = h('div');
  const service = h('div');
  const jobs = h('div');
  const history = h('div');
  const logs = new LogView(project, name);
  const metrics = new MetricsView(project, name);

  stop.addEventListener('click', async () => {
    if (await confirmAction(`Stop run ${name}? Its jobs get SIGTERM, then SIGKILL after the stop duration.`, 'Stop')) {
      await act(stop, slot, async () => {
        await projectCall(project, 'runs/stop', { runs_names: [name], abort: false });
        return 'Stopping…';
      });
      await update();
    }
  });
  abort.addEventListener('click', async () => {
    if (await confirmAction(`Abort run ${name}? Its jobs are killed at once.`, 'Abort')) {
      await act(abort, slot, async () => {
        await projectCall(project, 'runs/stop', { runs_names: [name], abort: true });
        return 'Aborting…';
      });
      await update();
    }
  });
  remove.addEventListener('click', async () => {
    if (await confirmAction(`Delete run ${name}? It disappears from the list; its logs are kept.`, 'Delete')) {
      const done = await act(remove, slot, async () => {
        await projectCall(project, 'runs/delete', { runs_names: [name] });
        return true;
      });
      if (done === true) navigate(`/runs?project=${encodeURIComponent(project)}`);
    }
  });

  view.append(
    h('p', { class: 'crumbs' }, link('/runs', 'Runs'), ' / ', link(`/projects/${seg(project)}`, project)),
    h('div', { class: 'title-row' }, title, h('div', { class: 'actions' }, stop, abort, remove)),
    slot,
    section('Summary', summary), service, section('Jobs', jobs), section('Logs', logs.element),
    section('Metrics', metrics.element),
    section('Status history', history),
    section('Configuration', h('pre', { class: 'code', id: 'configuration' }, toYaml(run.run_spec.configuration))));

  const draw = () => {
    const finished = FINISHED.includes(run.status);
    title.querySelector('#run-status').replaceChildren(status(run.status));
    stop.disabled = finished;
    abort.disabled = finished;
    remove.disabled = !finished;
    summary.replaceChildren(summaryOf(run));
    service.replaceChildren(run.run_spec.configuration?.type === 'service' ? section('Service', serviceOf(run)) : '');
    jobs.replaceChildren(jobsTable(run));
    history.replaceChildren(historyTable(run));
    logs.setJobs(run.jobs);
    metrics.setJobs(run.jobs);
  };
  const update = async () => {
    try {
      run = await get();
      if (ctx.alive()) draw();
    } catch (e) {
      slot.show(e);
    }
  };
  draw();
  ctx.every(2000, update);
  ctx.every(1000, () => logs.poll());
  ctx.every(5000, () => metrics.refresh(FINISHED.includes(run.status)));
  ctx.onLeave(() => logs.stop());
  await Promise.all([logs.poll(), metrics.refresh(FINISHED.includes(run.status))]);
}

function summaryOf(run) {
  const spec = run.run_spec;
  return details([
    ['Project', run.project_name],
    ['Type', spec.configuration?.type],
    ['User', run.user],
    ['Status', h('span', {}, status(run.status), run.status_message && run.status_message !== run.status
      ? ` (${run.status_message})` : '')],
    ['Termination reason', reasonOf(run)],
    ['Submitted', time(run.submitted_at)],
    ['Backend / fleet', backendOf(run)],
    ['Resources', resources(latest(run)?.job_provisioning_data?.instance_type?.resources)],
    ['Price', price(latest(run)?.job_provisioning_data?.price) && `${price(latest(run).job_provisioning_data.price)}/h`],
    ['Cost', price(run.cost)],
    ['Configuration file', spec.configuration_path],
    ['Next run', time(run.next_triggered_at)],
  ]);
}

function serviceOf(run) {
  const url = run.service?.url;
  const absolute = url ? new URL(url, location.origin) : null;
  const safe = absolute && ['http:', 'https:'].includes(absolute.protocol) ? absolute.href : null;
  const probes = run.jobs.map(job => {
    const specs = job.job_spec.probes ?? [];
    const results = job.job_submissions.at(-1)?.probes ?? [];
    return specs.map((p, i) => ({ job: job.job_spec.job_name, probe: p, streak: results[i]?.success_streak ?? 0 }));
  }).flat();
  return h('div', {},
    details([
      ['URL', safe ? h('a', { href: safe, target: '_blank', rel: 'noopener' }, safe) : 'not published yet'],
      ['Model', run.service?.model ? `${run.service.model.name} at ${run.service.model.base_url}` : null],
      ['Authorization', run.run_spec.configuration.auth === false ? 'none' : 'a project member\'s token (Bearer)'],
    ]),
    probes.length ? table({
      label: 'Probes',
      rows: probes,
      columns: [
        { title: 'Job', value: p => p.job },
        { title: 'Probe', value: p => `${(p.probe.method ?? 'get').toUpperCase()} ${p.probe.url ?? '/'}` },
        { title: 'Ready', value: p => (p.streak >= (p.probe.ready_after ?? 1) ? 'yes' : 'no') },
        { title: 'Success streak', value: p => String(p.streak) },
      ],
    }) : h('p', { class: 'empty' }, 'No probes: a replica gets traffic once its port accepts connections.'));
}

function jobsTable(run) {
  return table({
    label: 'Jobs',
    rows: run.jobs,
    columns: [
      { title: 'Job', value: j => j.job_spec.job_name },
      { title: 'Replica', value: j => String(j.job_spec.replica_num) },
      { title: 'Status', value: j => status(j.job_submissions.at(-1)?.status) },
      { title: 'Reason', value: j => reasonOf(j.job_submissions.at(-1) ?? {}) },
      { title: 'Exit', value: j => exitOf(j.job_submissions.at(-1)) },
      { title: 'Where', value: j => whereOf(j.job_submissions.at(-1)?.job_provisioning_data) },
      { title: 'Resources', value: j => resources(j.job_submissions.at(-1)?.job_provisioning_data?.instance_type?.resources) },
      { title: 'Price', value: j => price(j.job_submissions.at(-1)?.job_provisioning_data?.price) },
    ],
  });
}

function historyTable(run) {
  const rows = run.jobs.flatMap(j => j.job_submissions.map(s => ({ job: j.job_spec.job_name, s })));
  return table({
    label: 'Status history',
    rows,
    columns: [
      { title: 'Job', value: r => r.job },
      { title: 'Submission', value: r => String(r.s.submission_num) },
      { title: 'Submitted', value: r => time(r.s.submitted_at) },
      { title: 'Finished', value: r => time(r.s.finished_at) },
      { title: 'Status', value: r => status(r.s.status) },
      { title: 'Message', value: r => r.s.status_message },
      { title: 'Termination reason', value: r => reasonOf(r.s) },
    ],
  });
}

function exitOf(submission) {
  return submission?.exit_status == null ? null : String(submission.exit_status);
}

function whereOf(data) {
  if (!data) return null;
  return [data.backend, data.region, data.instance_type?.name, data.hostname].filter(Boolean).join(' / ');
}
