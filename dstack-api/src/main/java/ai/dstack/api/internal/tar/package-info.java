/**
 * Tar archives as dstack's clients make them for {@code files:} and repo code. The engine reads them with Commons
 * Compress (dstack-core), so the thin client carries no archive library.
 */
package ai.dstack.api.internal.tar;
