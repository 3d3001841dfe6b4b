package ai.dstack.api.configuration;

import java.util.Objects;

/**
 * Auto-scaling of a service by requests per second. Durations are seconds; {@code window} null means dstack's
 * default of 60 s.
 */
public record ScalingSpec(String metric, double target, Long window, long scaleUpDelay, long scaleDownDelay) {
    public static final String RPS = "rps";
    public static final long DEFAULT_SCALE_UP_DELAY = 300;
    public static final long DEFAULT_SCALE_DOWN_DELAY = 600;

    public ScalingSpec {
        Objects.requireNonNull(metric, "metric is null");
    }

    /** Scale to keep about {@code target} requests per second per replica, other settings at their defaults. */
    public static ScalingSpec rps(double target) {
        return new ScalingSpec(RPS, target, null, DEFAULT_SCALE_UP_DELAY, DEFAULT_SCALE_DOWN_DELAY);
    }
}
