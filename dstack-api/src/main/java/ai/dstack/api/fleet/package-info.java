/** Fleets: the fleet spec a client applies, and the fleets and fleet plans dstack's API returns. */
package ai.dstack.api.fleet;
