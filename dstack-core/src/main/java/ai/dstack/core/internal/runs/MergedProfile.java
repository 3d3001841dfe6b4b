package ai.dstack.core.internal.runs;

import ai.dstack.api.configuration.CreationPolicy;
import ai.dstack.api.configuration.Profile;
import ai.dstack.api.configuration.ProfileParams;
import ai.dstack.api.run.RunSpec;

/**
 * dstack's {@code merged_profile} of a run spec: the spec's profile (or one named {@code default}) overlaid with
 * every profile field the configuration sets, and {@code creation_policy} defaulting to {@code reuse-or-create}.
 * Profile settings must always be read from here, never from the profile or the configuration alone.
 */
public final class MergedProfile {
    private MergedProfile() {}

    public static Profile of(RunSpec spec) {
        Profile base = spec.profile() != null ? spec.profile() : Profile.defaultProfile();
        ProfileParams merged = overlay(base.params(), spec.configuration().profile());
        if (merged.creationPolicy() == null) {
            merged = withCreationPolicy(merged, CreationPolicy.REUSE_OR_CREATE);
        }
        return base.withParams(merged);
    }

    /** {@code base} with every non-null field of {@code top} put over it. */
    static ProfileParams overlay(ProfileParams base, ProfileParams top) {
        return new ProfileParams(
                pick(top.backends(), base.backends()),
                pick(top.regions(), base.regions()),
                pick(top.availabilityZones(), base.availabilityZones()),
                pick(top.instanceTypes(), base.instanceTypes()),
                pick(top.reservation(), base.reservation()),
                pick(top.spotPolicy(), base.spotPolicy()),
                pick(top.retry(), base.retry()),
                pick(top.maxDuration(), base.maxDuration()),
                pick(top.stopDuration(), base.stopDuration()),
                pick(top.maxPrice(), base.maxPrice()),
                pick(top.creationPolicy(), base.creationPolicy()),
                pick(top.idleDuration(), base.idleDuration()),
                pick(top.utilizationPolicy(), base.utilizationPolicy()),
                pick(top.startupOrder(), base.startupOrder()),
                pick(top.stopCriteria(), base.stopCriteria()),
                pick(top.schedule(), base.schedule()),
                pick(top.fleets(), base.fleets()),
                pick(top.instances(), base.instances()),
                pick(top.tags(), base.tags()),
                pick(top.backendOptions(), base.backendOptions()));
    }

    private static ProfileParams withCreationPolicy(ProfileParams p, CreationPolicy policy) {
        return new ProfileParams(p.backends(), p.regions(), p.availabilityZones(), p.instanceTypes(), p.reservation(),
                p.spotPolicy(), p.retry(), p.maxDuration(), p.stopDuration(), p.maxPrice(), policy, p.idleDuration(),
                p.utilizationPolicy(), p.startupOrder(), p.stopCriteria(), p.schedule(), p.fleets(), p.instances(),
                p.tags(), p.backendOptions());
    }

    private static <T> T pick(T top, T base) {
        return top != null ? top : base;
    }
}
