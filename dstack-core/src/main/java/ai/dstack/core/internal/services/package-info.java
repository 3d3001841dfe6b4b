/** Services' plumbing on one host: replicas in their own network namespaces, the way in to them, and autoscaling arithmetic. */
package ai.dstack.core.internal.services;
