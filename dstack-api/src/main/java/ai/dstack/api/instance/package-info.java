/** Instances: the machines of fleets, their status, health and termination reasons. */
package ai.dstack.api.instance;
