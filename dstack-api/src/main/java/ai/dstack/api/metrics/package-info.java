/** Job metrics as dstack's API returns them ({@code GET /api/project/{p}/metrics/job/{run_name}}). */
package ai.dstack.api.metrics;
