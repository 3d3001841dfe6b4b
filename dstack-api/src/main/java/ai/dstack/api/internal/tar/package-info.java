/** Tar archives as dstack's clients make them for {@code files:} and repo code, and as its runner unpacks them. */
package ai.dstack.api.internal.tar;
