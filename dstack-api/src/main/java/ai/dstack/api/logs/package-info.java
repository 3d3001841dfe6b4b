/** Logs: polling a job submission's output page by page. */
package ai.dstack.api.logs;
