// The UI's entry point: the pages, the login guard and the navigation bar.
// A new resource page is one module with a render function and one route() line here.
import { session } from './api.js';
import { beforeEach, currentPath, navigate, route, start } from './router.js';
import { loginPage } from './pages/login.js';
import { runsPage } from './pages/runs.js';
import { runPage } from './pages/run.js';
import { fleetsPage, fleetPage } from './pages/fleets.js';
import { projectsPage } from './pages/projects.js';
import { projectPage } from './pages/project.js';
import { usersPage } from './pages/users.js';
import { userPage } from './pages/user.js';
import { offersPage } from './pages/offers.js';
import { me } from './session.js';

route('/login', loginPage);
route('/runs', runsPage);
route('/projects/:project/runs/:run', runPage);
route('/fleets', fleetsPage);
route('/projects/:project/fleets/:fleet', fleetPage);
route('/offers', offersPage);
route('/projects', projectsPage);
route('/projects/:project', projectPage);
route('/users', usersPage);
route('/users/:user', userPage);
route('/account', userPage);

beforeEach(path => {
  const loggedIn = Boolean(session.token);
  document.getElementById('nav').hidden = !loggedIn;
  if (!loggedIn && path !== '/login') return `/login?next=${encodeURIComponent(currentPath())}`;
  if (loggedIn) showUser();
  return null;
});

async function showUser() {
  try {
    const user = await me();
    document.getElementById('nav-account').textContent = user.username;
    document.getElementById('nav-users').hidden = user.global_role !== 'admin';
  } catch {
    // The page shows the error (an invalid token sends the user to the login page).
  }
}

function logout(message) {
  session.clear();
  me.forget();
  navigate(`/login${message ? `?reason=${encodeURIComponent(message)}` : ''}`);
}

document.getElementById('logout').addEventListener('click', () => logout());
window.addEventListener('dstack:logout', e => logout(e.detail));
// Marks the current page in the navigation bar.
window.addEventListener('hashchange', markNav);

function markNav() {
  // A run's or a fleet's page belongs to Runs or Fleets, though its address starts with its project.
  const path = currentPath().replace(/^\/projects\/[^/]+\/(runs|fleets)\/.*/, '/$1');
  for (const a of document.querySelectorAll('#nav a')) {
    const target = a.getAttribute('href').slice(1);
    if (path === target || path.startsWith(`${target}/`) || path.startsWith(`${target}?`)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

markNav();
start(document.getElementById('main'));
