# Valid base of the broken-input corpus (see make_corpus.py).
format_version: 1
name: "corpus_base"
config {
  mesh_width: 2
  mesh_height: 2
  neurons_per_core: 4
  axons_per_core: 4
  synapses_per_core: 8
  fanout_per_core: 4
  profiles_per_core: 2
}
learning_enabled: true
checksum: 247504397
cores {
  x: 0
  y: 0
  profiles { du: 100 dv: 200 vth: 10 }
  groups { weight_exp: 0 plastic: true lr_pot_shift: 2 lr_dep_shift: 3 w_min: -100 w_max: 100 }
  stdp { pre_decay: 300 post_decay: 400 pre_impulse: 50 post_impulse: 60 }
  lfsr_seed: 1
  neuron_profile: [0, 0]
  neuron_bias_mant: [0, 5]
  neuron_u: [0, 0]
  neuron_v: [0, 0]
  neuron_fanout_base: [0, 1]
  neuron_fanout_count: [1, 1]
  axon_syn_base: [0, 1]
  axon_syn_count: [2, 1]
  syn_neuron: [0, 1, 1]
  syn_weight: [50, -20, 9]
  syn_group: [0, 0, 0]
  fanout_to_host: [false, true]
  fanout_x: [1, 0]
  fanout_y: [0, 0]
  fanout_axon: [0, 3]
}
cores {
  x: 1
  y: 0
  profiles { du: 4095 dv: 0 vth: 0 reset_mode: RESET_SUBTRACT refractory: 2 }
  lfsr_seed: 7
  neuron_profile: [0]
  neuron_bias_mant: [0]
  neuron_u: [0]
  neuron_v: [0]
  neuron_fanout_base: [0]
  neuron_fanout_count: [1]
  axon_syn_base: [0]
  axon_syn_count: [1]
  syn_neuron: [0]
  syn_weight: [1]
  syn_group: [0]
  fanout_to_host: [true]
  fanout_x: [0]
  fanout_y: [0]
  fanout_axon: [5]
}
