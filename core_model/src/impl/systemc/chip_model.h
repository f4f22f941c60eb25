// The cycle-accurate SystemC model of the chip (spec §10): a module per hardware block (router,
// neuro-core, host interface, the chip with its barrier), connected by ports. Every clocked process
// is an SC_METHOD that runs at the first delta of a cycle's time and wakes only when something can
// change; a core's computable stretches (a delivery of D cycles, N neuron issues) are skipped in one
// timed wait, while the fan-out unit and the routers run cycle by cycle while they hold flits.
//
// One module per file, each named after its RTL twin (flit.h lists them); this header is the model's
// one entry point for the backend and the firmware's SystemC platform.
#pragma once

#include "chip.h"
