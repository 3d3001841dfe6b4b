/** How commands print: tables, plans, resources and durations in dstack's words. */
package ai.dstack.cli.internal.output;
