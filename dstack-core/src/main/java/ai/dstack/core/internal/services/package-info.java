/**
 * Service runs' plumbing on one host: replicas in their own network namespaces, the way in to them, request rates and
 * autoscaling arithmetic. A leaf: it uses only {@code dstack-api}; placement, the pipelines and the operations use it.
 */
package ai.dstack.core.internal.services;
