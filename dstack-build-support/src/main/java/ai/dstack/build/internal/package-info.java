/**
 * What the Maven and Gradle plugins share, so that both behave alike: connection settings and their defaults,
 * finding and validating {@code .dstack.yml} files, applying a run and following its output, and the listing
 * commands. Not a public API: the plugins' tasks and goals are.
 */
package ai.dstack.build.internal;
