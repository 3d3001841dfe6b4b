package ai.dstack.backend.aws;

import ai.dstack.backend.aws.internal.AwsBackend;
import ai.dstack.backend.aws.internal.AwsSettings;
import ai.dstack.spi.backend.Backend;
import ai.dstack.spi.backend.BackendConfiguration;
import ai.dstack.spi.backend.BackendProvider;

/** {@code type: aws}: dstack's AWS backend fields, EC2 through the AWS SDK v2. */
public final class AwsBackendProvider implements BackendProvider {
    public static final String TYPE = "aws";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Backend create(BackendConfiguration configuration) {
        return new AwsBackend(AwsSettings.read(configuration));
    }
}
