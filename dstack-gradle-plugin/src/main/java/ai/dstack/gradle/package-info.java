/**
 * The {@code ai.dstack} Gradle plugin: the {@code dstack { url, token, project }} extension and the tasks
 * {@code dstackValidate} (cacheable; {@code check} depends on it), {@code dstackApply}, {@code dstackStop},
 * {@code dstackLogs}, {@code dstackPs} and {@code dstackOffer}, plus the task types to register more of them.
 *
 * <pre>{@code
 * plugins { id("ai.dstack") version "..." }
 * dstack { url = "http://127.0.0.1:3000"; token = providers.environmentVariable("DSTACK_TOKEN") }
 * tasks.register<ai.dstack.gradle.DstackApply>("train") { configurationFile = file("train.dstack.yml") }
 * }</pre>
 *
 * <p>Unset, the connection comes from {@code ~/.dstack/config.yml} as the {@code dstack} CLI reads it, or from an
 * engine embedded in the build when {@code dataDirectory} is set. Every setting also reads a Gradle property
 * ({@code -Pdstack.url=...}).
 */
package ai.dstack.gradle;
