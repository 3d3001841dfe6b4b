package ai.dstack.backend.aws.internal;

import ai.dstack.spi.backend.BackendException;
import ai.dstack.spi.backend.BackendFailure;
import java.util.Comparator;
import java.util.List;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.Image;

/**
 * The AMI for an offer: Ubuntu 22.04 for CPU offers, AWS's Deep Learning Base AMI (NVIDIA drivers) for GPU offers,
 * or the configured {@code os_images}. The newest image whose name matches wins.
 */
final class AwsImages {
    static final AwsSettings.OsImage CPU = new AwsSettings.OsImage(
            "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-*", "099720109477", "ubuntu");
    static final AwsSettings.OsImage NVIDIA = new AwsSettings.OsImage(
            "Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) *", "898082745236", "ubuntu");

    private final AwsSettings settings;

    AwsImages(AwsSettings settings) {
        this.settings = settings;
    }

    AwsSettings.OsImage imageFor(boolean gpu) {
        String kind = gpu ? "nvidia" : "cpu";
        return settings.osImages().getOrDefault(kind, gpu ? NVIDIA : CPU);
    }

    /** The id of the newest image matching {@code image} in the region. */
    String imageId(Ec2Client ec2, String region, AwsSettings.OsImage image) {
        List<Image> images = AwsNetwork.call("DescribeImages " + image.name() + " in " + region,
                () -> ec2.describeImages(r -> r.owners(image.owner())
                        .filters(AwsNetwork.filter("name", image.name()), AwsNetwork.filter("state", "available")))
                        .images());
        return images.stream().max(Comparator.comparing(i -> i.creationDate() == null ? "" : i.creationDate()))
                .map(Image::imageId)
                .orElseThrow(() -> new BackendException(BackendFailure.NOT_FOUND, "aws: no image named '"
                        + image.name() + "' owned by " + image.owner() + " in " + region
                        + (settings.osImages().isEmpty() ? "" : " (check os_images)")));
    }
}
