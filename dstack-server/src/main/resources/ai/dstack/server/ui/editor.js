// A YAML text area with line numbers; errors from the server ("config_yaml:5:3: field: message") are marked at
// their line and listed below it, each a button that puts the cursor on that line.
import { h } from './dom.js';

export class YamlEditor {
  constructor(name, text = '') {
    this.gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
    this.area = h('textarea', { name, spellcheck: 'false', autocapitalize: 'off', rows: '12', 'aria-label': 'YAML' });
    this.area.value = text;
    this.errors = h('ul', { class: 'yaml-errors', 'aria-live': 'polite' });
    this.bad = new Set();
    this.area.addEventListener('input', () => this.numbers());
    this.area.addEventListener('scroll', () => { this.gutter.scrollTop = this.area.scrollTop; });
    this.element = h('div', { class: 'yaml-editor' }, h('div', { class: 'editor-box' }, this.gutter, this.area), this.errors);
    this.numbers();
  }

  get value() {
    return this.area.value;
  }

  set value(text) {
    this.area.value = text;
    this.showErrors([]);
  }

  numbers() {
    const count = this.area.value.split('\n').length;
    this.gutter.replaceChildren(...Array.from({ length: count }, (_, i) =>
      h('div', { class: this.bad.has(i + 1) ? 'bad' : null, 'data-line': String(i + 1) }, String(i + 1))));
    this.gutter.scrollTop = this.area.scrollTop;
  }

  /** positions: [{line, column, text}]; other: messages with no line. */
  showErrors(positions, other = []) {
    this.bad = new Set(positions.map(p => p.line));
    this.numbers();
    this.errors.replaceChildren(
      ...positions.map(p => {
        const go = h('button', { type: 'button', class: 'link' }, `Line ${p.line}, column ${p.column}`);
        go.addEventListener('click', () => this.goTo(p.line, p.column));
        return h('li', { class: 'yaml-error', role: 'alert', 'data-line': String(p.line) }, go, `: ${p.text}`);
      }),
      ...other.map(text => h('li', { class: 'yaml-error', role: 'alert' }, text)));
  }

  goTo(line, column = 1) {
    const lines = this.area.value.split('\n');
    const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, column - 1);
    this.area.focus();
    this.area.setSelectionRange(offset, offset);
  }
}
