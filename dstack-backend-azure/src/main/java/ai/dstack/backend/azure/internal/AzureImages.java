package ai.dstack.backend.azure.internal;

import ai.dstack.api.offer.InstanceType;
import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import com.azure.resourcemanager.compute.fluent.models.CommunityGalleryImageInner;
import com.azure.resourcemanager.compute.models.ImageReference;
import java.util.Locale;
import java.util.Set;

/**
 * The image a VM boots: by default dstack's own image from dstack's Azure community gallery (one per kind: plain,
 * CUDA, CUDA with NVIDIA's proprietary kernel modules for GPUs older than Turing, GRID for the A10 sizes), else the
 * configured {@code os_images} entry. Each is looked up in the VM's location first, so an image that does not exist
 * there is refused naming it rather than failing inside the VM create.
 */
final class AzureImages {
    /** dstack's public community gallery of Gen2 VM images. */
    static final String GALLERY = "dstack-ebac134d-04b9-4c2b-8b6c-ad3e73904aa7";
    /** The version of dstack's VM images (dstack's {@code vm_base_image}). */
    static final String VERSION = "0.14";
    /** The last image version built with the proprietary kernel modules. */
    static final String PROPRIETARY_MODULES_VERSION = "0.10";
    /** NVIDIA GPUs before Turing: no open kernel modules. */
    private static final Set<String> PROPRIETARY_MODULES_GPUS = Set.of("v100", "p100", "p40", "p4", "m60", "m40",
            "m4", "k80", "k40", "k20");

    /** The image reference a VM is created with and the user its keys are for. */
    record Resolved(ImageReference reference, String user) {}

    private final AzureSettings settings;
    private final AzureClients clients;

    AzureImages(AzureSettings settings, AzureClients clients) {
        this.settings = settings;
        this.clients = clients;
    }

    /** dstack's gallery image name for an instance type. */
    static String dstackImage(InstanceType instance) {
        if (instance.name().contains("_A10_v5")) {
            return "dstack-grid-" + VERSION;
        }
        if (instance.resources().gpus().isEmpty()) {
            return "dstack-" + VERSION;
        }
        String gpu = instance.resources().gpus().get(0).name().toLowerCase(Locale.ROOT);
        return PROPRIETARY_MODULES_GPUS.contains(gpu) ? "dstack-cuda-" + PROPRIETARY_MODULES_VERSION
                : "dstack-cuda-" + VERSION;
    }

    /** The image for the instance type in the location, looked up there. */
    Resolved resolve(InstanceType instance, String location) {
        boolean gpu = !instance.resources().gpus().isEmpty();
        String kind = gpu ? "nvidia" : "cpu";
        AzureSettings.OsImage configured = settings.osImages().get(kind);
        if (configured == null) {
            String name = dstackImage(instance);
            CommunityGalleryImageInner image = lookUp("dstack's image " + name + " (community gallery " + GALLERY
                    + ")", location, () -> clients.compute().serviceClient().getCommunityGalleryImages()
                            .get(location, GALLERY, name));
            return new Resolved(new ImageReference().withCommunityGalleryImageId(image.uniqueId()),
                    AzureBackend.DEFAULT_USER);
        }
        return new Resolved(configured(configured, kind, location), configured.user());
    }

    private ImageReference configured(AzureSettings.OsImage image, String kind, String location) {
        String name = image.name();
        String field = "os_images." + kind + ".name";
        if (name.startsWith("/CommunityGalleries/")) {
            // /CommunityGalleries/{gallery}/Images/{image}[/Versions/{version}]
            String[] p = name.split("/");
            if (p.length < 5) {
                throw AzureSettings.invalid(field, "'" + name + "' is not /CommunityGalleries/<gallery>/Images/<image>");
            }
            lookUpConfigured(field, name, location, () -> clients.compute().serviceClient()
                    .getCommunityGalleryImages().get(location, p[2], p[4]));
            return new ImageReference().withCommunityGalleryImageId(name);
        }
        if (name.startsWith("/")) {
            String[] p = name.split("/");
            if (p.length == 9 && p[6].equalsIgnoreCase("Microsoft.Compute") && p[7].equalsIgnoreCase("images")) {
                lookUpConfigured(field, name, location, () -> clients.compute().serviceClient().getImages()
                        .getByResourceGroup(p[4], p[8]));
            }
            return new ImageReference().withId(name);
        }
        String[] urn = name.split(":");
        if (urn[3].equalsIgnoreCase("latest")) {
            boolean any = !lookUpConfigured(field, name, location, () -> clients.compute().serviceClient()
                    .getVirtualMachineImages().list(location, urn[0], urn[1], urn[2])).isEmpty();
            if (!any) {
                throw notThere(field, name, location, "it has no versions there");
            }
        } else {
            lookUpConfigured(field, name, location, () -> clients.compute().serviceClient().getVirtualMachineImages()
                    .get(location, urn[0], urn[1], urn[2], urn[3]));
        }
        return new ImageReference().withPublisher(urn[0]).withOffer(urn[1]).withSku(urn[2]).withVersion(urn[3]);
    }

    private static <T> T lookUpConfigured(String field, String name, String location,
            java.util.function.Supplier<T> get) {
        try {
            return get.get();
        } catch (RuntimeException e) {
            BackendException mapped = AzureErrors.map(e, "looking up image " + name + " in " + location);
            if (mapped.failure() == BackendFailure.NOT_FOUND) {
                throw notThere(field, name, location, mapped.cloudCode() + ": " + mapped.cloudMessage());
            }
            throw mapped;
        }
    }

    private static BackendException notThere(String field, String name, String location, String why) {
        return AzureSettings.invalid(field, "'" + name + "' does not exist in " + location + " (" + why + ")");
    }

    private static <T> T lookUp(String what, String location, java.util.function.Supplier<T> get) {
        try {
            return get.get();
        } catch (RuntimeException e) {
            BackendException mapped = AzureErrors.map(e, "looking up " + what + " in " + location);
            if (mapped.failure() == BackendFailure.NOT_FOUND) {
                throw new BackendException(BackendFailure.NOT_FOUND, "azure: " + what + " is not published in "
                        + location + " (" + mapped.cloudCode() + ": " + mapped.cloudMessage() + "); set os_images "
                        + "in the backend to use another image", mapped.cloudCode(), mapped.cloudMessage(), e);
            }
            throw mapped;
        }
    }
}
