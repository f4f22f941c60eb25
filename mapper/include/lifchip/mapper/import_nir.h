// The NIR importer: a NIR graph file (HDF5; NIR 0.1.x, 0.2.0, 1.0.x) to the IR. Node types, fields
// and how each maps into populations and projections: docs/nir.md.
#pragma once

#include <string>

#include "lifchip/mapper/ir.h"
#include "lifchip/mapper/pass.h"

namespace lifchip::mapper {

/// Reads and lowers a NIR file: neuron nodes (LIF, CubaLIF, IF, LI) and the top-level Input/Output
/// nodes become populations; every chain of Affine, Linear, Scale, Flatten, Conv1d, Conv2d,
/// SumPool2d and AvgPool2d nodes between two of them is folded into one projection (convolutions
/// expanded into synapses with shared-weight classes); nested NIRGraphs are flattened with names
/// joined by '.'. Throws InputError naming the file, the node and the field. Notes about tolerated
/// inconsistencies (declared shapes, defaults of older versions) go to `report` when given.
Network import_nir(const std::string& path, ReportSection* report = nullptr);

/// libhdf5 reads NIR files in a reader process of its own, forked at the first read
/// (docs/reliability.md, "NIR and HDF5"). A program that starts threads before its first read may
/// fork it here first: a fork taken while another thread is inside a sanitizer's allocator can leave
/// the copy waiting on a lock forever (the fuzz targets do this). Safe to call more than once.
void start_nir_reader();

}  // namespace lifchip::mapper
