package ai.dstack.api.run;

/** The state of one readiness probe of a job: its current run of successes. */
public record Probe(int successStreak) {
}
