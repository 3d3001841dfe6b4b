package ai.dstack.api.offer;

import ai.dstack.api.resources.CpuArch;

import ai.dstack.api.resources.GpuVendor;

import static org.assertj.core.api.Assertions.assertThat;

import ai.dstack.api.json.DstackJson;
import ai.dstack.api.json.WireSamples;
import java.util.List;
import org.junit.jupiter.api.Test;

class OfferTest {
    @Test
    void tpuNamesLoseTheirPrefixAndDefaultToGoogleAsInDstack() {
        assertThat(new Gpu("tpu-v5e", 16384, null)).isEqualTo(new Gpu("v5e", 16384, GpuVendor.GOOGLE));
        assertThat(new Gpu("A100", 40960, null).vendor()).isEqualTo(GpuVendor.NVIDIA);
        assertThat(new Gpu("MI300X", 196608, GpuVendor.AMD).vendor()).isEqualTo(GpuVendor.AMD);
    }

    @Test
    void anUnknownVendorFromANewerServerIsKeptApartFromNvidia() throws Exception {
        Gpu gpu = DstackJson.mapper().readValue("{\"name\":\"X1\",\"memory_mib\":1,\"vendor\":\"acme\"}", Gpu.class);

        assertThat(gpu.vendor()).isEqualTo(GpuVendor.UNKNOWN);
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
        Resources resources = Resources.of(2, 8192, List.of(), false, CpuArch.X86);

        assertThat(resources.disk()).isEqualTo(new Disk(102400));
        assertThat(resources.description()).isEmpty();
    }
}
