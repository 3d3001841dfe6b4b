/** What {@code dstack validate} does to one file, and the two ways it reports the result (text and JSON lines). */
package ai.dstack.cli.internal.validate;
