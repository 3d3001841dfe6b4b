/** The AWS backend's implementation: settings, EC2 calls, error mapping. Not an API. */
package ai.dstack.backend.aws.internal;
