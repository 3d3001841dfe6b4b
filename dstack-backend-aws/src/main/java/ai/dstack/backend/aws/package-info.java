/**
 * The AWS backend: EC2 instances from a catalogue of offers, EBS volumes and cluster placement groups, behind
 * {@link ai.dstack.spi.backend.Backend}. Found by the engine through {@link ai.dstack.backend.aws.AwsBackendProvider}
 * ({@code type: aws}). The EC2 client honours the AWS SDK's standard settings, endpoint ones included
 * ({@code AWS_ENDPOINT_URL}, {@code AWS_ENDPOINT_URL_EC2}, {@code endpoint_url} in the shared config file).
 */
package ai.dstack.backend.aws;
