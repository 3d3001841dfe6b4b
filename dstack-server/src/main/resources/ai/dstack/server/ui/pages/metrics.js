import { projectCall } from '../api.js';
import { errorBox, h, table } from '../dom.js';

/** Points asked for per job: a few minutes at the default interval of 10 s. */
const POINTS = 60;
const SVG = 'http://www.w3.org/2000/svg';

/**
 * A run's resource usage as `dstack metrics` prints it: per job, each metric's latest value and a sparkline of the
 * recent samples, from metrics/job (GET /api/project/{p}/metrics/job/{run}, answered on POST alike).
 */
export class MetricsView {
  constructor(project, run) {
    this.project = project;
    this.run = run;
    this.jobs = [];
    this.body = h('div', { id: 'metrics' });
    this.element = h('div', { class: 'metrics-view' }, this.body);
  }

  /** The run's jobs (from runs/get): one block of metrics each. */
  setJobs(jobs) {
    this.jobs = jobs;
  }

  /** Polls while the run is active; samples stop with the run, so one look after it finished is enough. */
  async refresh(runFinished) {
    if (this.sawFinished) return;
    await this.poll();
    this.sawFinished = runFinished;
  }

  async poll() {
    try {
      const rows = [];
      for (const job of this.jobs) {
        const spec = job.job_spec;
        const query = `?replica_num=${spec.replica_num ?? 0}&job_num=${spec.job_num ?? 0}&limit=${POINTS}`;
        const answer = await projectCall(this.project, `metrics/job/${encodeURIComponent(this.run)}${query}`);
        for (const metric of answer?.metrics ?? []) {
          rows.push({ job: spec.job_name, metric, points: pointsOf(metric) });
        }
      }
      this.body.replaceChildren(rows.length ? table({
        label: 'Metrics',
        rows,
        columns: [
          { title: 'Job', value: r => r.job },
          { title: 'Metric', value: r => labelOf(r.metric.name) },
          { title: 'Latest', value: r => formatOf(r.metric.name)(r.points.at(-1).value) },
          { title: 'Recent', value: r => sparkline(r.points, labelOf(r.metric.name)) },
          { title: 'Samples', value: r => String(r.points.length) },
        ],
      }) : h('p', { class: 'empty' },
        'No samples yet: the server samples running jobs every few seconds '
        + '(DSTACK_SERVER_METRICS_COLLECT_INTERVAL_SECONDS) and keeps them a while after the job ends.'));
    } catch (e) {
      this.body.replaceChildren(errorBox(e));
    }
  }
}

/** The samples oldest first, whatever order the server sent them in. */
function pointsOf(metric) {
  const points = (metric.timestamps ?? []).map((t, i) => ({ time: Date.parse(t), value: Number(metric.values[i]) }));
  return points.filter(p => !Number.isNaN(p.value)).sort((a, b) => a.time - b.time);
}

function labelOf(name) {
  const gpu = /^gpu_(memory_usage_bytes|util_percent)_gpu(\d+)$/.exec(name);
  if (gpu) return `GPU ${gpu[2]} ${gpu[1] === 'util_percent' ? 'utilization' : 'memory'}`;
  return {
    cpu_usage_percent: 'CPU',
    memory_usage_bytes: 'Memory',
    memory_working_set_bytes: 'Memory (working set)',
    memory_total_bytes: 'Memory total',
    cpus_detected_num: 'CPUs detected',
    gpus_detected_num: 'GPUs detected',
  }[name] ?? name;
}

function formatOf(name) {
  if (name.includes('percent')) return v => `${Math.round(v)}%`;
  if (name.includes('bytes')) return bytes;
  return v => String(v);
}

function bytes(value) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = value;
  let unit = 0;
  while (v >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? v : v.toFixed(1)}${units[unit]}`;
}

/** A small line over the samples, scaled to their own range, with the range in its tooltip. */
function sparkline(points, label) {
  const width = 120;
  const height = 24;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', width);
  svg.setAttribute('height', height);
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('role', 'img');
  const values = points.map(p => p.value);
  const min = Math.min(...values);
  const max = Math.max(...values);
  svg.setAttribute('aria-label', `${label}: ${points.length} samples from ${min} to ${max}`);
  const span = max - min;
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '1.5');
  line.setAttribute('points', points.map((p, i) =>
    `${(i * step).toFixed(1)},${(span ? height - 2 - ((p.value - min) / span) * (height - 4) : height / 2).toFixed(1)}`)
    .join(' '));
  svg.append(line);
  return svg;
}
