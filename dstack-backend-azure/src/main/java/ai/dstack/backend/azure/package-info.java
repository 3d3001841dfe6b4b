/** The Azure backend ({@code type: azure}): virtual machines through Azure Resource Manager and the Backend SPI. */
package ai.dstack.backend.azure;
