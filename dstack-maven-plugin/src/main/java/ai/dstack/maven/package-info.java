/**
 * The {@code dstack} Maven plugin: {@code dstack:validate} (bound to {@code validate} by default), {@code dstack:apply},
 * {@code dstack:stop}, {@code dstack:logs}, {@code dstack:ps} and {@code dstack:offer}. Every parameter has a
 * {@code -Ddstack.*} property; the connection defaults to {@code ~/.dstack/config.yml} as the {@code dstack} CLI reads
 * it, or to an engine embedded in the build on {@code dstack.dataDirectory}.
 *
 * <pre>{@code
 * <plugin>
 *   <groupId>ai.dstack</groupId>
 *   <artifactId>dstack-maven-plugin</artifactId>
 *   <version>...</version>
 *   <executions><execution><goals><goal>validate</goal></goals></execution></executions>
 * </plugin>
 * }</pre>
 */
package ai.dstack.maven;
