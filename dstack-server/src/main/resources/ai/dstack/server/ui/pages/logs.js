import { projectCall } from '../api.js';
import { errorBox, field, h, select } from '../dom.js';

const ACTIVE = ['submitted', 'provisioning', 'pulling', 'running', 'terminating'];

/**
 * A job's logs, streamed with logs/poll: pages are followed with next_token; at the end of what is stored, the next
 * poll asks for lines from the last timestamp on (inclusive) and skips the ones already shown, so no line is lost or
 * shown twice even when several share a timestamp. Search filters the lines; download saves them all.
 */
export class LogView {
  constructor(project, run) {
    this.project = project;
    this.run = run;
    this.jobs = [];
    this.choice = h('select', { name: 'job' });
    this.search = h('input', { type: 'search', name: 'search', placeholder: 'Search the logs' });
    this.follow = h('input', { type: 'checkbox', name: 'follow', checked: true });
    this.count = h('span', { class: 'muted', 'aria-live': 'polite' });
    this.output = h('pre', { class: 'logs', id: 'logs', tabindex: '0', 'aria-label': 'Logs' });
    this.problem = h('div');
    const download = h('button', { type: 'button', class: 'secondary', id: 'download-logs' }, 'Download');
    download.addEventListener('click', () => this.download());
    this.choice.addEventListener('change', () => this.reset());
    this.search.addEventListener('input', () => this.render());
    this.element = h('div', { class: 'log-view' },
      h('div', { class: 'filters' }, field('Job', this.choice), field('Search', this.search),
        h('label', { class: 'check' }, this.follow, ' Follow'), download, this.count),
      this.problem, this.output);
    this.reset();
  }

  /** The run's jobs (from runs/get); keeps the chosen job, picks the first one at start. */
  setJobs(jobs) {
    this.jobs = jobs;
    const key = jobs.map(j => `${j.job_spec.job_name}:${j.job_submissions.at(-1)?.id}`).join(',');
    if (key === this.jobsKey) return;
    this.jobsKey = key;
    const current = this.choice.value;
    const options = jobs.map((j, i) => [String(i), `${j.job_spec.job_name} (submission ${j.job_submissions.at(-1)?.submission_num ?? 0})`]);
    this.choice.replaceChildren(...select(options, current || '0').children);
    if (this.submissionId() !== this.shownSubmission) this.reset();
  }

  submissionId() {
    const job = this.jobs[Number(this.choice.value || 0)];
    return job?.job_submissions.at(-1)?.id ?? null;
  }

  reset() {
    this.lines = [];
    this.partial = '';
    this.token = null;
    this.since = null;
    this.skip = 0;
    this.lastTimestamp = null;
    this.sameCount = 0;
    this.done = false;
    this.shownSubmission = this.submissionId();
    this.render();
  }

  stop() {
    this.stopped = true;
  }

  /** Fetches what is new; stops once the job has finished and everything is read. */
  async poll() {
    const submission = this.submissionId();
    if (this.stopped || this.done || !submission || this.busy) return;
    this.busy = true;
    try {
      const job = this.jobs[Number(this.choice.value || 0)];
      const finished = !ACTIVE.includes(job?.job_submissions.at(-1)?.status);
      let added = false;
      for (let pages = 0; pages < 20; pages++) {
        const page = await projectCall(this.project, 'logs/poll', {
          run_name: this.run, job_submission_id: submission, limit: 1000, descending: false,
          next_token: this.token, start_time: this.token ? null : this.since,
        });
        if (submission !== this.submissionId()) return;
        this.skip = this.token ? 0 : this.skip;
        for (const event of page.logs) added = this.add(event) || added;
        this.token = page.next_token;
        if (!this.token) {
          this.since = this.lastTimestamp ? oneMicroBefore(this.lastTimestamp) : null;
          this.skip = this.sameCount;
          break;
        }
      }
      if (finished && !added) this.done = true;
      this.problem.replaceChildren();
      if (added) this.render();
    } catch (e) {
      this.problem.replaceChildren(errorBox(e));
    } finally {
      this.busy = false;
    }
  }

  add(event) {
    if (this.skip > 0 && event.timestamp === this.lastTimestamp) {
      this.skip--;
      return false;
    }
    this.skip = 0;
    if (event.timestamp === this.lastTimestamp) this.sameCount++;
    else {
      this.lastTimestamp = event.timestamp;
      this.sameCount = 1;
    }
    const text = this.partial + decode(event.message);
    const parts = text.split(/\r?\n/);
    this.partial = parts.pop();
    this.lines.push(...parts);
    return true;
  }

  allLines() {
    return this.partial ? [...this.lines, this.partial] : this.lines;
  }

  render() {
    const needle = this.search.value.trim().toLowerCase();
    const all = this.allLines();
    const shown = needle ? all.filter(l => l.toLowerCase().includes(needle)) : all;
    this.output.textContent = shown.join('\n');
    this.count.textContent = needle ? `${shown.length} of ${all.length} lines match` : `${all.length} lines`;
    if (this.follow.checked) this.output.scrollTop = this.output.scrollHeight;
  }

  download() {
    const blob = new Blob([`${this.allLines().join('\n')}\n`], { type: 'text/plain' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `${this.run}.log` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
}

/** Log messages travel base64-encoded (raw bytes); shown as UTF-8. */
function decode(base64) {
  const bytes = Uint8Array.from(atob(base64), c => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The instant one microsecond before an ISO timestamp (start_time is exclusive). */
export function oneMicroBefore(iso) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) return iso;
  const micros = Date.parse(`${m[1]}${m[3]}`) * 1000 + Number((m[2] ?? '').padEnd(6, '0').slice(0, 6)) - 1;
  const seconds = new Date(Math.floor(micros / 1e6) * 1000).toISOString().replace(/\.\d+Z$/, '');
  return `${seconds}.${String(micros % 1e6).padStart(6, '0')}Z`;
}
