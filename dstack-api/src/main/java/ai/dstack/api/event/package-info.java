/** dstack's events: what happened to runs, jobs, fleets, instances, users and projects ({@code /api/events/list}). */
package ai.dstack.api.event;
