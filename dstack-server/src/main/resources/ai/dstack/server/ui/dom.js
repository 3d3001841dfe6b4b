// Small DOM helpers shared by the pages: element builder, tables, detail lists, dialogs, statuses, formats.

/**
 * h('a', {href: '#/runs', class: 'x', onclick: fn}, 'text', child, [more]) builds an element. Props named on* are
 * listeners, `text` sets textContent, booleans toggle attributes; null/false children are skipped.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = value;
    else if (name === 'value') el.value = value;
    else if (name === 'checked' || name === 'selected') el[name] = Boolean(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * A table. columns: [{title, value: row => node|text, class?}]; rows: the data; empty: the text when there are no
 * rows. On narrow screens each row becomes a card whose cells are labelled with their column's title.
 */
export function table({ columns, rows, empty = 'Nothing here yet.', label, rowClass }) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-wrap' },
    h('table', { 'aria-label': label },
      h('thead', {}, h('tr', {}, columns.map(c => h('th', { scope: 'col', class: c.class }, c.title)))),
      h('tbody', {}, rows.map(row => h('tr', { class: rowClass?.(row) },
        columns.map(c => h('td', { 'data-label': c.title, class: c.class }, orDash(c.value(row)))))))));
}

/** A description list of [label, value] pairs; pairs whose value is null or '' are left out. */
export function details(pairs) {
  return h('dl', { class: 'details' }, pairs.filter(([, v]) => v != null && v !== '')
    .map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]));
}

function orDash(value) {
  return value == null || value === '' ? '–' : value;
}

/** A titled section of a page. */
export function section(title, ...content) {
  return h('section', { class: 'card' }, h('h2', {}, title), ...content);
}

/** An error in plain words, announced to screen readers. */
export function errorBox(error) {
  const message = error?.message ?? String(error);
  return h('div', { class: 'error', role: 'alert' }, message.split('\n').map(line => h('div', {}, line)));
}

/** A place for the outcome of an action: show(error) or show('Saved.'). */
export function messageSlot() {
  const slot = h('div', { class: 'message-slot', 'aria-live': 'polite' });
  slot.show = outcome => slot.replaceChildren(outcome instanceof Error || outcome?.problems
    ? errorBox(outcome) : h('div', { class: 'ok' }, outcome));
  slot.clear = () => slot.replaceChildren();
  return slot;
}

/**
 * Runs an async action from a button: disables it meanwhile, shows the error (or the returned text) in the slot.
 */
export async function act(button, slot, action) {
  button.disabled = true;
  slot?.clear();
  try {
    const outcome = await action();
    if (typeof outcome === 'string') slot?.show(outcome);
    return outcome;
  } catch (e) {
    if (slot) slot.show(e);
    else throw e;
  } finally {
    button.disabled = false;
  }
}

/** Asks before something that cannot be undone; resolves true when confirmed. Escape cancels. */
export function confirmAction(question, confirmLabel = 'Confirm') {
  return new Promise(resolve => {
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'danger', 'data-confirm': '' }, confirmLabel);
    const dialog = h('dialog', { class: 'confirm', 'aria-label': question },
      h('p', {}, question), h('div', { class: 'actions' }, cancel, confirm));
    const close = answer => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    cancel.addEventListener('click', () => close(false));
    confirm.addEventListener('click', () => close(true));
    dialog.addEventListener('cancel', e => {
      e.preventDefault();
      close(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

const STATUS_KIND = {
  running: 'good', done: 'good', active: 'good', idle: 'good', available: 'good',
  busy: 'busy', provisioning: 'busy', pulling: 'busy', submitted: 'busy', pending: 'busy', terminating: 'busy',
  failed: 'bad', aborted: 'bad', no_quota: 'bad', not_available: 'bad',
  terminated: 'neutral',
};

/** A coloured status label. */
export function status(value) {
  const text = value ?? 'unknown';
  return h('span', { class: `status status-${STATUS_KIND[text] ?? 'neutral'}`, 'data-status': text }, text);
}

/** 2026-12-06 14:31:05 in the browser's time zone, with the full instant as a tooltip. */
export function time(iso) {
  if (!iso) return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = n => String(n).padStart(2, '0');
  const text = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} `
    + `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return h('time', { datetime: iso, title: iso }, text);
}

export function price(value) {
  return value == null ? null : `$${Number(value).toFixed(4).replace(/0{1,2}$/, '')}`;
}

/** An instance's resources as dstack prints them: 2xCPU, 8GB, 1xA100 (80GB), 100GB (disk). */
export function resources(r) {
  if (!r) return null;
  const parts = [`${r.cpus}xCPU`, `${gb(r.memory_mib)}GB`];
  const gpus = r.gpus ?? [];
  if (gpus.length) parts.push(`${gpus.length}x${gpus[0].name} (${gb(gpus[0].memory_mib)}GB)`);
  if (r.disk?.size_mib) parts.push(`${gb(r.disk.size_mib)}GB (disk)`);
  if (r.spot) parts.push('spot');
  return parts.join(', ');
}

function gb(mib) {
  return Math.round((mib / 1024) * 10) / 10;
}

/** A link inside the UI. */
export function link(path, text) {
  return h('a', { href: `#${path}` }, text);
}

/** Encodes one path segment of a UI route. */
export function seg(value) {
  return encodeURIComponent(value);
}

/** A labelled form field: label(text, input). */
export function field(label, input, hint) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, hint ? h('small', {}, hint) : null);
}

export function select(options, value, props = {}) {
  return h('select', props, options.map(o => {
    const [v, text] = Array.isArray(o) ? o : [o, o];
    return h('option', { value: v, selected: v === value }, text);
  }));
}
