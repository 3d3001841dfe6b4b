package ai.dstack.api.offer;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.json.WireSamples;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfferTest {
    @Test
    void tpuNamesLoseTheirPrefixAndDefaultToGoogleAsInDstack() {
        assertThat(new Gpu("tpu-v5e", 16384, null)).isEqualTo(new Gpu("v5e", 16384, AcceleratorVendor.GOOGLE));
        assertThat(new Gpu("A100", 40960, null).vendor()).isEqualTo(AcceleratorVendor.NVIDIA);
        assertThat(new Gpu("MI300X", 196608, AcceleratorVendor.AMD).vendor()).isEqualTo(AcceleratorVendor.AMD);
    }

    @Test
    void anUnknownVendorFromANewerServerIsKeptApartFromNvidia() throws Exception {
        Gpu gpu = DstackJson.mapper().readValue("{\"name\":\"X1\",\"memory_mib\":1,\"vendor\":\"acme\"}", Gpu.class);

        assertThat(gpu.vendor()).isEqualTo(AcceleratorVendor.UNKNOWN);
    }

    @Test
    void anOfferAndItsAvailabilityConvertBothWays() {
        InstanceOfferWithAvailability sample = WireSamples.read("instance-offer", InstanceOfferWithAvailability.class);

        InstanceOffer offer = sample.offer();

        assertThat(offer.withAvailability(InstanceAvailability.AVAILABLE, null)).isEqualTo(sample);
        assertThat(offer.instance().resources().gpus()).hasSize(8);
    }

    @Test
    void resourcesBuiltInCodeGetDstacksDiskAndDescriptionDefaults() {
        Resources resources = Resources.of(2, 8192, List.of(), false, CpuArchitecture.X86);

        assertThat(resources.disk()).isEqualTo(new Disk(102400));
        assertThat(resources.description()).isEmpty();
    }
}
