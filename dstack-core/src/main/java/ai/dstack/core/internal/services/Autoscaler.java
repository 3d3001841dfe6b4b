package ai.dstack.core.internal.services;

import ai.dstack.api.configuration.ScalingSpec;
import java.time.Duration;
import java.time.Instant;

/**
 * dstack's replica count rule: without {@code scaling} the count is kept between the range's bounds; with
 * {@code scaling: {metric: rps}} it follows {@code ceil(rps / target)} within the bounds, but only once
 * {@code scale_up_delay} (or {@code scale_down_delay}) has passed since the last scaling event.
 */
public record Autoscaler(int min, int max, ScalingSpec scaling) {
    /** dstack's default averaging window for the request rate, in seconds. */
    public static final long DEFAULT_WINDOW = 60;

    public Autoscaler {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("replicas range " + min + ".." + max + " is not valid");
        }
    }

    public long windowSeconds() {
        return scaling == null || scaling.window() == null ? DEFAULT_WINDOW : scaling.window();
    }

    /**
     * @param current the replicas wanted now
     * @param requests requests the proxy counted in the last {@link #windowSeconds()}; null when nothing was measured
     * @param lastScaledAt the last time a replica was started or stopped; null if never
     */
    public int desired(int current, Long requests, Instant lastScaledAt, Instant now) {
        if (scaling == null || requests == null) {
            return clip(current);
        }
        double rps = (double) requests / windowSeconds();
        int wanted = clip((int) Math.ceil(rps / scaling.target()));
        long sinceScaled = lastScaledAt == null ? Long.MAX_VALUE : Duration.between(lastScaledAt, now).getSeconds();
        if (wanted > current) {
            return current == 0 || sinceScaled >= scaling.scaleUpDelay() ? wanted : current;
        }
        if (wanted < current) {
            return sinceScaled >= scaling.scaleDownDelay() ? wanted : current;
        }
        return wanted;
    }

    private int clip(int count) {
        return Math.min(Math.max(count, min), max);
    }
}
