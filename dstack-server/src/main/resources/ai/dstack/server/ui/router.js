// A hash router: #/projects/main/runs/train?x=1 -> the page registered for /projects/:project/runs/:run.
// A page is async (view, ctx) => void; ctx.params, ctx.query, ctx.every(ms, fn) for live refresh and
// ctx.alive() to know whether the user is still on the page.
import { errorBox, h } from './dom.js';

const routes = [];
let leave = [];
let guard = null;

/** Registers a page for a pattern such as /projects/:project/runs/:run. */
export function route(pattern, page) {
  routes.push({ parts: pattern.split('/').filter(Boolean), page });
}

/** A check before every page (the login): returns a path to go to instead, or null. */
export function beforeEach(check) {
  guard = check;
}

export function navigate(path) {
  if (location.hash === `#${path}`) render();
  else location.hash = path;
}

export function currentPath() {
  return location.hash.slice(1) || '/runs';
}

export function start(view) {
  window.addEventListener('hashchange', () => render(view));
  render(view);
}

let mainView;

async function render(view = mainView) {
  mainView = view;
  leave.forEach(fn => fn());
  leave = [];
  const [path, queryText = ''] = currentPath().split('?');
  const redirect = guard?.(path);
  if (redirect) {
    location.replace(`#${redirect}`);
    return;
  }
  const found = match(path);
  view.replaceChildren();
  if (!found) {
    view.append(h('h1', {}, 'Page not found'), h('p', {}, `Nothing at ${path}. `, h('a', { href: '#/runs' }, 'See the runs')));
    return;
  }
  let alive = true;
  leave.push(() => { alive = false; });
  const ctx = {
    params: found.params,
    query: new URLSearchParams(queryText),
    alive: () => alive,
    /** Calls fn every ms milliseconds (after the previous call finished) while the page is shown. */
    every(ms, fn) {
      let timer;
      const tick = async () => {
        try {
          await fn();
        } finally {
          if (alive) timer = setTimeout(tick, ms);
        }
      };
      timer = setTimeout(tick, ms);
      leave.push(() => clearTimeout(timer));
    },
    onLeave(fn) {
      leave.push(fn);
    },
  };
  try {
    await found.page(view, ctx);
  } catch (e) {
    if (alive) view.append(errorBox(e));
  }
  // After a navigation, keyboard and screen-reader users continue from the new page's heading.
  const heading = view.querySelector('h1');
  const focus = document.activeElement;
  if (heading && alive && (focus === document.body || focus?.closest('#nav') || !focus?.isConnected)) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
}

function match(path) {
  const parts = path.split('/').filter(Boolean);
  for (const r of routes) {
    if (r.parts.length !== parts.length) continue;
    const params = {};
    const ok = r.parts.every((p, i) => {
      if (p.startsWith(':')) {
        params[p.slice(1)] = decodeURIComponent(parts[i]);
        return true;
      }
      return p === parts[i];
    });
    if (ok) return { page: r.page, params };
  }
  return null;
}
