/**
 * The server's {@code config.yml} and backend configurations: read with dstack's schema, every problem reported
 * with its file, line and field.
 */
package ai.dstack.core.internal.config;
