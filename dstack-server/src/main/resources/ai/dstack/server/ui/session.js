// The logged-in user and the lists most pages need (projects), fetched once per page load.
import { call } from './api.js';

let user = null;

/** users/get_my_user, cached until log-out or a token refresh. */
export async function me() {
  user ??= call('users/get_my_user');
  try {
    return await user;
  } catch (e) {
    user = null;
    throw e;
  }
}

me.forget = () => {
  user = null;
};

/** The names of the projects the user may see (all for a global admin). */
export async function projectNames() {
  const projects = await call('projects/list', {});
  return projects.map(p => p.project_name);
}
