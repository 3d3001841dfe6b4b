package ai.dstack.core.internal.services;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.dstack.api.configuration.ScalingSpec;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** dstack's RPS autoscaler rule: ceil(rps / target) within the range, after the delays. */
class AutoscalerTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
    private final Autoscaler scaler = new Autoscaler(1, 4, new ScalingSpec("rps", 2, 60L, 300, 600));

    @Test
    void followsTheRateWithinTheRange() {
        Instant longAgo = NOW.minusSeconds(3600);
        assertThat(scaler.desired(1, 60L * 5, longAgo, NOW)).as("5 rps / 2 per replica").isEqualTo(3);
        assertThat(scaler.desired(1, 60L * 100, longAgo, NOW)).as("capped at max").isEqualTo(4);
        assertThat(scaler.desired(3, 0L, longAgo, NOW)).as("no traffic: min").isEqualTo(1);
    }

    @Test
    void waitsForTheDelaysSinceTheLastScaling() {
        assertThat(scaler.desired(1, 60L * 5, NOW.minusSeconds(299), NOW)).isEqualTo(1);
        assertThat(scaler.desired(1, 60L * 5, NOW.minusSeconds(300), NOW)).isEqualTo(3);
        assertThat(scaler.desired(3, 0L, NOW.minusSeconds(599), NOW)).isEqualTo(3);
        assertThat(scaler.desired(3, 0L, NOW.minusSeconds(600), NOW)).isEqualTo(1);
    }

    @Test
    void fromZeroReplicasItScalesUpAtOnce() {
        Autoscaler toZero = new Autoscaler(0, 2, new ScalingSpec("rps", 1, 60L, 300, 600));
        assertThat(toZero.desired(0, 10L, NOW, NOW)).isEqualTo(1);
    }

    @Test
    void withoutScalingOrMeasurementsTheCountIsOnlyClipped() {
        assertThat(new Autoscaler(2, 3, null).desired(5, 1000L, null, NOW)).isEqualTo(3);
        assertThat(scaler.desired(2, null, null, NOW)).isEqualTo(2);
        assertThatThrownBy(() -> new Autoscaler(3, 2, null)).hasMessageContaining("3..2");
    }

    @Test
    void requestRatesCountTheWindowOnly() {
        MutableClock clock = new MutableClock(NOW);
        RequestRates rates = new RequestRates(clock);
        java.util.UUID service = java.util.UUID.randomUUID();
        assertThat(rates.requests(service, 60)).isNull();
        for (int i = 0; i < 10; i++) {
            rates.record(service);
        }
        clock.now = NOW.plusSeconds(30);
        rates.record(service);
        assertThat(rates.requests(service, 60)).isEqualTo(11);
        clock.now = NOW.plusSeconds(61);
        assertThat(rates.requests(service, 60)).isEqualTo(1);
    }

    private static final class MutableClock extends java.time.Clock {
        Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
