// JSON -> YAML for showing configurations as people write them: nulls, empty lists and empty maps left out.

export function toYaml(value) {
  const text = block(prune(value), '');
  return text.endsWith('\n') ? text : `${text}\n`;
}

function prune(value) {
  if (Array.isArray(value)) return value.map(prune);
  if (value && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) {
      const p = prune(v);
      if (p == null || (Array.isArray(p) && !p.length) || (isMap(p) && !Object.keys(p).length)) continue;
      out[k] = p;
    }
    return out;
  }
  return value;
}

function isMap(v) {
  return v != null && typeof v === 'object' && !Array.isArray(v);
}

function block(value, indent) {
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return value.map(item => `${indent}-${nested(item, `${indent}  `, true)}`).join('\n');
  }
  if (isMap(value)) {
    const entries = Object.entries(value);
    if (!entries.length) return '{}';
    return entries.map(([k, v]) => `${indent}${scalar(k)}:${nested(v, `${indent}  `, false)}`).join('\n');
  }
  return scalar(value);
}

/** What follows "key:" or "-": an inline scalar, or a nested block on the next lines. */
function nested(value, indent, inList) {
  if (Array.isArray(value) && value.length) {
    return inList ? ` ${block(value, indent).trimStart()}` : `\n${block(value, indent)}`;
  }
  if (isMap(value) && Object.keys(value).length) {
    return inList ? ` ${block(value, indent).trimStart()}` : `\n${block(value, indent)}`;
  }
  if (typeof value === 'string' && value.includes('\n')) {
    const body = value.replace(/\n$/, '').split('\n').map(l => `${indent}${l}`).join('\n');
    return ` |${value.endsWith('\n') ? '' : '-'}\n${body}`;
  }
  return ` ${block(value, indent)}`;
}

function scalar(v) {
  if (v == null) return 'null';
  if (typeof v !== 'string') return String(v);
  const plain = /^[A-Za-z0-9_./@$~+=-][^:#\n]*$/.test(v) && !/[:\s]$/.test(v) && !/^[-?]\s/.test(v)
    && !/^(true|false|yes|no|on|off|null|~|y|n)$/i.test(v) && Number.isNaN(Number(v)) && !/^[\d.:]+$/.test(v)
    && !/ #/.test(v);
  return plain ? v : JSON.stringify(v);
}
