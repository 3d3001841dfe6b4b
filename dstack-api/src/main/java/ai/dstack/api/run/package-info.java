/**
 * Runs: the run spec a client submits, and the runs, jobs, submissions and plans dstack's API returns, with
 * their statuses and termination reasons.
 */
package ai.dstack.api.run;
