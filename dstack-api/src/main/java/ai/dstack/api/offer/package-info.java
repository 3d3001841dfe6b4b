/** Offers: instances a backend or a fleet can provide, what they have and what they cost. */
package ai.dstack.api.offer;
