// A neuro-core (spec §1.2, §2-§4, §10.4): its memories, the phase sequencer that produces exactly
// the phase lengths of spec §10.4, the delivery unit (one scan word, axon or synapse entry per
// cycle), the neuron pipeline (lifchip_neuron_dp), the fan-out unit with its spike queue, the
// learning unit with its LFSR (spec §4.2 order), the per-core counters of spec §8 and the
// load/read ports the host interface uses. Memories are parameterised arrays with asynchronous
// reads and synchronous writes.
module lifchip_core #(
  parameter int unsigned Neurons  = lifchip_pkg::NEURONS_PER_CORE_DEFAULT,
  parameter int unsigned Axons    = lifchip_pkg::AXONS_PER_CORE_DEFAULT,
  parameter int unsigned Synapses = lifchip_pkg::SYNAPSES_PER_CORE_DEFAULT,
  parameter int unsigned Fanout   = lifchip_pkg::FANOUT_PER_CORE_DEFAULT,
  parameter int unsigned Profiles = lifchip_pkg::PROFILES_PER_CORE_DEFAULT,
  localparam int unsigned FlitW = lifchip_pkg::PKT_BITS,
  localparam int unsigned OccW = $clog2(lifchip_pkg::ROUTER_BUF_DEPTH + 1),
  localparam int unsigned ACntW = $clog2(Axons + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             clr_i,       // image load begin / soft reset: an empty core
  input  logic             cnt_clr_i,   // COUNTER_CLEAR
  // Image load: one word of the flat stream (spec §9.3) routed to this core.
  input  logic             ld_we_i,
  input  logic [3:0]       ld_sel_i,    // LdHeader, LdState or a MEM_* id
  input  logic [15:0]      ld_addr_i,
  input  logic [31:0]      ld_data_i,
  // Step control (lifchip_step_ctrl).
  input  logic             go_i,        // DELIVER starts in the next cycle (cycle T_inj)
  input  logic             step_end_i,  // last cycle of the step: next -> current at its end
  input  logic             inject_phase_i,
  input  logic             learn_en_i,
  output logic             done_o,      // C_done reached (spec §10.4)
  // Packets ejected to this core by its router (local output).
  input  logic             arrive_i,
  input  logic [FlitW-1:0] arrive_pkt_i,
  // Fan-out unit into the router's local input FIFO.
  output logic             pkt_valid_o,
  output logic [FlitW-1:0] pkt_o,
  input  logic [OccW-1:0]  local_occ_i,  // its start-of-cycle occupancy
  // MEM_SEL / MEM_DATA read window (spec §7, layouts §9.2).
  input  logic [3:0]       rd_mem_i,
  input  logic [15:0]      rd_addr_i,
  input  logic [15:0]      rd_n3_i,     // rd_addr_i / 3 and rd_addr_i % 3 (neuron state words)
  input  logic [1:0]       rd_s3_i,
  output logic [31:0]      rd_data_o,
  output logic             rd_err_o,
  // Counter window (ids of spec §8 kept by the core; router ids read 0 here).
  input  logic [4:0]       cnt_id_i,
  output logic [63:0]      cnt_o,
  output logic [ACntW-1:0] axons_o      // A, for the host's SPIKE_IN check
);

  // One copy of the simulation code shared by every instance (Verilator): 16 inlined copies
  // would cost compile time and instruction cache.
  /* verilator no_inline_module */

  // ------------------------------------------------------------------ widths and constants
  localparam int unsigned NIdxW = (Neurons > 1) ? $clog2(Neurons) : 1;
  localparam int unsigned NCntW = $clog2(Neurons + 1);
  localparam int unsigned AIdxW = (Axons > 1) ? $clog2(Axons) : 1;
  localparam int unsigned AWords = (Axons + 63) / 64;
  localparam int unsigned AWIdxW = (AWords > 1) ? $clog2(AWords) : 1;
  localparam int unsigned SIdxW = (Synapses > 1) ? $clog2(Synapses) : 1;
  localparam int unsigned SCntW = $clog2(Synapses + 1);
  localparam int unsigned FIdxW = (Fanout > 1) ? $clog2(Fanout) : 1;
  localparam int unsigned FCntW = $clog2(Fanout + 1);
  localparam int unsigned PIdxW = (Profiles > 1) ? $clog2(Profiles) : 1;
  localparam int unsigned PCntW = $clog2(Profiles + 1);
  localparam int unsigned Groups = lifchip_pkg::SYN_GROUPS_PER_CORE;
  localparam int unsigned GIdxW = lifchip_pkg::SYN_GROUP_BITS;
  localparam int unsigned DW = lifchip_pkg::DECAY_BITS;
  localparam int unsigned TW = lifchip_pkg::TRACE_BITS;
  localparam int unsigned WW = lifchip_pkg::WEIGHT_BITS;
  localparam int unsigned UW = lifchip_pkg::U_REG_BITS;
  localparam int unsigned VW = lifchip_pkg::STATE_BITS;
  localparam int unsigned RW = lifchip_pkg::REFRACTORY_BITS;
  localparam int unsigned AccW = lifchip_pkg::ACC_BITS;
  localparam int unsigned LW = lifchip_pkg::LFSR_BITS;
  localparam int unsigned RangeW = 17;          // base + count of a 16-bit base and 16-bit count
  localparam int unsigned FanCfgW = 28;         // neuron cfg word 1: fan-out base and count
  localparam int unsigned TagW = FanCfgW + NIdxW;
  localparam int unsigned NPipe = lifchip_pkg::NEURON_PIPE;
  localparam int unsigned Depth = lifchip_pkg::ROUTER_BUF_DEPTH;
  localparam logic [TW-1:0] TraceMax = TW'(lifchip_pkg::TRACE_MAX);
  // Load selectors besides the MEM_* ids: the core record's header words, the initial u/v words.
  localparam logic [3:0] LdHeader = 4'd0;
  localparam logic [3:0] LdState = 4'd9;
  // The default of an unlisted group: weight_exp 0, not plastic, w_min -128, w_max 127.
  localparam logic [28:0] GroupDefault = {WW'((1 << (WW - 1)) - 1), WW'(1 << (WW - 1)), 13'd0};

  // ------------------------------------------------------------------ configuration and memories
  logic [PCntW-1:0] p_q;
  logic [NCntW-1:0] n_q;
  logic [ACntW-1:0] a_q;
  logic [SCntW-1:0] s_q;
  logic [FCntW-1:0] f_q;
  logic [DW-1:0]    pre_decay_q, post_decay_q;
  logic [TW-1:0]    pre_imp_q, post_imp_q;

  logic [31:0] prof_w0 [Profiles];   // spec §9.2 profile words, fields as laid out there
  logic [20:0] prof_w1 [Profiles];
  logic [28:0] group_q [Groups];
  logic [16:0] ncfg0 [Neurons];      // [3:0] profile, [16:4] bias_mant
  logic [FanCfgW-1:0] ncfg1 [Neurons];  // [13:0] fanout_base, [27:14] fanout_count
  logic signed [UW-1:0]   u_mem [Neurons];
  logic signed [VW-1:0]   v_mem [Neurons];
  logic [RW-1:0]          ref_mem [Neurons];
  logic signed [AccW-1:0] acc_mem [Neurons];
  logic [TW-1:0]          post_mem [Neurons];
  logic [Neurons-1:0]     spk_q;     // post_spike[n] of this step
  logic [31:0]            axon_mem [Axons];  // [15:0] syn_base, [31:16] syn_count
  logic [TW-1:0]          pre_mem [Axons];
  logic [20:0]            syn_mem [Synapses];  // [9:0] neuron, [17:10] weight, [20:18] group
  logic [FlitW-1:0]       fan_mem [Fanout];    // a fan-out word is the packet it sends
  logic [63:0]            cur_q [AWords];      // pending bits: current step (g_pending)
  logic [63:0]            next_q [AWords];     // pending bits: next step

  logic any_plastic;
  always_comb begin
    any_plastic = 1'b0;
    for (int g = 0; g < Groups; g++) any_plastic = any_plastic | group_q[g][4];
  end

  // ------------------------------------------------------------------ helpers
  // Index of the lowest set bit of a non-zero word (binary search, six levels).
  function automatic logic [5:0] lowest_bit(logic [63:0] w);
    logic [63:0] x;
    logic [5:0] r;
    x = w;
    r = '0;
    if (x[31:0] == '0) begin r[5] = 1'b1; x = x >> 32; end
    if (x[15:0] == '0) begin r[4] = 1'b1; x = x >> 16; end
    if (x[7:0] == '0) begin r[3] = 1'b1; x = x >> 8; end
    if (x[3:0] == '0) begin r[2] = 1'b1; x = x >> 4; end
    if (x[1:0] == '0) begin r[1] = 1'b1; x = x >> 2; end
    if (x[0] == 1'b0) r[0] = 1'b1;
    lowest_bit = r;
  endfunction

  function automatic logic pending_bit(logic [63:0] word, logic [5:0] bit_index);
    pending_bit = word[bit_index];
  endfunction

  function automatic logic [AWIdxW-1:0] word_of(logic [AIdxW-1:0] a);
    word_of = AWIdxW'(32'(a) >> 6);
  endfunction

  // w << e or w >> -e (arithmetic): spec §2.3 weight scaling.
  function automatic logic signed [AccW-1:0] scale_weight(logic [WW-1:0] w, logic [3:0] e);
    logic signed [AccW-1:0] x;
    x = AccW'($signed(w));
    scale_weight = e[3] ? (x >>> 4'(-$signed(e))) : (x <<< e[2:0]);
  endfunction

  // Stochastically rounded trace decay (spec §4.2): (x * (4096 - decay) + (r & 4095)) >> 12.
  function automatic logic [TW-1:0] trace_decay(logic [TW-1:0] x, logic [DW-1:0] decay,
                                                logic [DW-1:0] r);
    logic [TW+DW:0] p;
    p = (TW + DW + 1)'(x) * (TW + DW + 1)'((1 << DW) - 32'(decay)) + (TW + DW + 1)'(r);
    trace_decay = TW'(p >> DW);
  endfunction

  function automatic logic [TW-1:0] trace_impulse(logic [TW-1:0] x, logic [TW-1:0] imp);
    logic [TW:0] s;
    s = {1'b0, x} + {1'b0, imp};
    trace_impulse = (s > {1'b0, TraceMax}) ? TraceMax : s[TW-1:0];
  endfunction

  // (trace + (r & (2^shift - 1))) >> shift (spec §4.2 step 3).
  function automatic logic [TW:0] stdp_step(logic [TW-1:0] t, logic [3:0] shift, logic [LW-1:0] r);
    logic [LW-1:0] mask;
    logic [LW:0] s;
    mask = LW'((32'd1 << shift) - 1);
    s = (LW + 1)'(t) + {1'b0, r & mask};
    stdp_step = (TW + 1)'(s >> shift);
  endfunction

  // ------------------------------------------------------------------ sequencer state
  typedef enum logic [2:0] {PhIdle, PhDeliver, PhUpdate, PhLearn, PhDone} phase_e;
  typedef enum logic [1:0] {DScan, DAxon, DEntry, DDrain} dsub_e;
  typedef enum logic [2:0] {LPre, LPost, LAxon, LEntry, LDrain} lsub_e;

  phase_e phase_q, phase_d;
  dsub_e  dsub_q, dsub_d;
  lsub_e  lsub_q, lsub_d;

  // Delivery.
  logic [AWIdxW-1:0] d_word_q, d_word_d;
  logic [63:0]       d_bits_q, d_bits_d;
  logic [RangeW-1:0] e_q, e_d, e_end_q, e_end_d;  // synapse walk (delivery and weight pass)
  logic [1:0]        drain_q, drain_d;
  logic              any_q, any_d;                // an axon was delivered in this step
  logic              acc_v_q, acc_v_d;            // accumulate stage
  logic [NIdxW-1:0]  acc_n_q, acc_n_d;
  logic signed [AccW-1:0] acc_w_q, acc_w_d;
  // Update.
  logic [NCntW-1:0]  iss_q, iss_d;                // next neuron to issue
  logic [1:0]        tail_q, tail_d;              // cycles since the last issue, saturating
  logic              spiked_q, spiked_d;          // a neuron spiked in this step
  // Learning.
  logic [ACntW-1:0]  la_q, la_d;
  logic [NCntW-1:0]  ln_q, ln_d;
  logic              lpre_q, lpre_d;              // pre_spike of the axon in the weight pass
  // Fan-out unit.
  logic              fo_active_q, fo_active_d;
  logic [13:0]       fo_addr_q, fo_addr_d;
  logic [14:0]       fo_end_q, fo_end_d;

  logic [AWIdxW:0] a_words;
  assign a_words = (AWIdxW + 1)'((32'(a_q) + 63) >> 6);
  logic learn_runs;
  assign learn_runs = learn_en_i && any_plastic;

  // ------------------------------------------------------------------ neuron pipeline
  logic              dp_in_valid;
  logic [NIdxW-1:0]  iss_idx;
  logic [16:0]       iss_cfg0;
  logic [PIdxW-1:0]  iss_prof;
  logic              dp_out_valid, dp_out_spike, dp_out_active;
  logic [TagW-1:0]   dp_out_tag;
  logic signed [UW-1:0] dp_out_u;
  logic signed [VW-1:0] dp_out_v;
  logic [RW-1:0]     dp_out_ref;
  logic [NIdxW-1:0]  wb_idx;
  logic [FanCfgW-1:0] wb_fan;

  assign iss_idx = NIdxW'(iss_q);
  assign iss_cfg0 = ncfg0[iss_idx];
  assign iss_prof = PIdxW'(iss_cfg0[3:0]);
  assign wb_idx = dp_out_tag[NIdxW-1:0];
  assign wb_fan = dp_out_tag[TagW-1:NIdxW];

  lifchip_neuron_dp #(
    .TagW(TagW)
  ) u_neuron_dp (
    .clk_i,
    .rst_ni,
    .clr_i,
    .in_valid_i     (dp_in_valid),
    .in_tag_i       ({ncfg1[iss_idx], iss_idx}),
    .in_u_i         (u_mem[iss_idx]),
    .in_v_i         (v_mem[iss_idx]),
    .in_ref_i       (ref_mem[iss_idx]),
    .in_acc_i       (acc_mem[iss_idx]),
    .in_bias_mant_i (iss_cfg0[16:4]),
    .in_bias_exp_i  (prof_w1[iss_prof][20:17]),
    .in_du_i        (prof_w0[iss_prof][11:0]),
    .in_dv_i        (prof_w0[iss_prof][23:12]),
    .in_vth_i       (prof_w1[iss_prof][16:0]),
    .in_subtract_i  (prof_w0[iss_prof][24]),
    .in_refractory_i(prof_w0[iss_prof][30:25]),
    .in_readout_i   (prof_w0[iss_prof][lifchip_pkg::PROFILE_READOUT_BIT]),
    .out_valid_o    (dp_out_valid),
    .out_tag_o      (dp_out_tag),
    .out_u_o        (dp_out_u),
    .out_v_o        (dp_out_v),
    .out_ref_o      (dp_out_ref),
    .out_spike_o    (dp_out_spike),
    .out_active_o   (dp_out_active)
  );

  // ------------------------------------------------------------------ spike queue and fan-out
  logic               q_push, q_pop;
  logic [FanCfgW-1:0] q_head;
  logic [NCntW-1:0]   q_count;
  assign q_push = dp_out_valid && dp_out_spike && wb_fan[27:14] != '0;

  lifchip_fifo #(
    .Width(FanCfgW),
    .Depth(Neurons)
  ) u_spike_queue (
    .clk_i,
    .rst_ni,
    .clr_i,
    .push_i (q_push),
    .data_i (wb_fan),
    .pop_i  (q_pop),
    .data_o (q_head),
    .count_o(q_count)
  );

  logic        fo_push, fo_stall;
  logic [13:0] fo_cand;
  logic [14:0] fo_cand_end;
  always_comb begin
    fo_push = 1'b0;
    fo_stall = 1'b0;
    q_pop = 1'b0;
    fo_active_d = fo_active_q;
    fo_addr_d = fo_addr_q;
    fo_end_d = fo_end_q;
    fo_cand = fo_active_q ? fo_addr_q : q_head[13:0];
    fo_cand_end = fo_active_q ? fo_end_q : 15'(q_head[13:0]) + 15'(q_head[27:14]);
    if (fo_active_q || q_count != '0) begin
      q_pop = !fo_active_q;
      if (32'(local_occ_i) < Depth) begin
        fo_push = 1'b1;
        fo_addr_d = fo_cand + 14'd1;
        fo_end_d = fo_cand_end;
        fo_active_d = 15'(fo_cand) + 15'd1 != fo_cand_end;
      end else begin
        fo_stall = 1'b1;
        fo_addr_d = fo_cand;
        fo_end_d = fo_cand_end;
        fo_active_d = 1'b1;
      end
    end
  end
  assign pkt_valid_o = fo_push;
  assign pkt_o = fan_mem[FIdxW'(fo_cand)];

  // After this cycle: no queued spike and no entry left to send.
  logic fo_idle_next;
  assign fo_idle_next = !fo_active_d &&
      ((q_count == '0 && !q_push) || (q_count == NCntW'(1) && q_pop && !q_push));

  // ------------------------------------------------------------------ LFSR
  logic [LW-1:0] draw1, draw2;
  logic [1:0]    draws;
  logic          lfsr_load;
  logic [LW-1:0] lfsr_seed;
  lifchip_lfsr u_lfsr (
    .clk_i,
    .rst_ni,
    .load_i (lfsr_load),
    .seed_i (lfsr_seed),
    .draws_i(draws),
    .draw1_o(draw1),
    .draw2_o(draw2)
  );
  assign lfsr_load = clr_i || (ld_we_i && ld_sel_i == LdHeader && ld_addr_i == 16'd6);
  assign lfsr_seed = clr_i ? LW'(1) : ld_data_i[LW-1:0];

  // ------------------------------------------------------------------ the sequencer
  // Memory reads of the units (asynchronous).
  logic [AIdxW-1:0] d_axon;
  logic [31:0]      d_axon_word, l_axon_word;
  logic [20:0]      d_syn, l_syn;
  assign d_axon = AIdxW'(32'(d_word_q) * 64 + 32'(lowest_bit(d_bits_q)));
  assign d_axon_word = axon_mem[d_axon];
  assign d_syn = syn_mem[SIdxW'(e_q)];
  assign l_axon_word = axon_mem[AIdxW'(la_q)];
  assign l_syn = syn_mem[SIdxW'(e_q)];

  // Learning-unit results of this cycle.
  logic             pre_we, post_we, syn_we;
  logic [TW-1:0]    trace_new;
  logic [20:0]      syn_new;
  logic [1:0]       n_trace, n_stdp;

  // Counter increments of this cycle.
  logic inc_axon, inc_synop, inc_synrd, inc_synwr, inc_dcyc, inc_ucyc, inc_lcyc, inc_wcyc;

  // The trace unit (spec §4.2 steps 1-2), shared by the pre-trace pass (axon la_q) and the
  // post-trace pass (neuron ln_q): stochastic decay of a non-zero trace, then the impulse.
  logic            t_post, t_spike, t_draw;
  logic [TW-1:0]   t_in, t_mid, t_out, t_imp;
  logic [DW-1:0]   t_decay;
  logic [1:0]      t_count;
  always_comb begin
    t_post = lsub_q == LPost;
    t_in = '0;
    t_decay = '0;
    t_imp = '0;
    t_spike = 1'b0;
    t_draw = 1'b0;
    t_mid = '0;
    t_out = '0;
    t_count = '0;
    if (phase_q == PhLearn && (lsub_q == LPre || t_post)) begin
      t_in = t_post ? post_mem[NIdxW'(ln_q)] : pre_mem[AIdxW'(la_q)];
      t_decay = t_post ? post_decay_q : pre_decay_q;
      t_imp = t_post ? post_imp_q : pre_imp_q;
      t_spike = t_post ? spk_q[NIdxW'(ln_q)] : pending_bit(cur_q[word_of(AIdxW'(la_q))], la_q[5:0]);
      t_draw = t_in != '0;
      t_mid = t_draw ? trace_decay(t_in, t_decay, draw1[DW-1:0]) : t_in;
      t_out = t_spike ? trace_impulse(t_mid, t_imp) : t_mid;
      t_count = {1'b0, t_draw} + {1'b0, t_spike};
    end
  end

  // The first learning sub-phase with work, and the phase after each phase (lengths 0 skipped).
  function automatic lsub_e learn_first(logic [ACntW-1:0] a, logic [NCntW-1:0] n, logic wpass);
    if (a != '0) learn_first = LPre;
    else if (n != '0) learn_first = LPost;
    else if (wpass && a != '0) learn_first = LAxon;
    else learn_first = LDrain;
  endfunction

  always_comb begin
    logic wpass;
    logic [63:0] rest;
    logic [NIdxW-1:0] n;
    logic [28:4] g;  // the group word above weight_exp
    logic post;
    logic signed [WW+2:0] w;
    rest = '0;
    n = '0;
    g = '0;
    post = 1'b0;
    w = '0;
    phase_d = phase_q;
    dsub_d = dsub_q;
    lsub_d = lsub_q;
    d_word_d = d_word_q;
    d_bits_d = d_bits_q;
    e_d = e_q;
    e_end_d = e_end_q;
    drain_d = drain_q;
    any_d = any_q;
    acc_v_d = 1'b0;
    acc_n_d = acc_n_q;
    acc_w_d = acc_w_q;
    iss_d = iss_q;
    tail_d = tail_q;
    spiked_d = spiked_q || (dp_out_valid && dp_out_spike);
    la_d = la_q;
    ln_d = ln_q;
    lpre_d = lpre_q;
    dp_in_valid = 1'b0;
    pre_we = 1'b0;
    post_we = 1'b0;
    syn_we = 1'b0;
    trace_new = '0;
    syn_new = l_syn;
    n_trace = '0;
    n_stdp = '0;
    draws = '0;
    inc_axon = 1'b0;
    inc_synop = 1'b0;
    inc_synrd = 1'b0;
    inc_synwr = 1'b0;
    inc_dcyc = 1'b0;
    inc_ucyc = 1'b0;
    inc_lcyc = 1'b0;
    inc_wcyc = 1'b0;
    wpass = any_q || spiked_q;

    unique case (phase_q)
      // ---------------------------------------------------------------- DELIVER (spec §10.4.2)
      PhDeliver: begin
        inc_dcyc = 1'b1;
        unique case (dsub_q)
          DScan: begin
            // One 64-bit word of the current pending bits per cycle.
            if (cur_q[d_word_q] != '0) begin
              d_bits_d = cur_q[d_word_q];
              dsub_d = DAxon;
            end else if ((AWIdxW + 1)'(d_word_q) + 1'b1 < a_words) begin
              d_word_d = d_word_q + 1'b1;
            end else if (any_q) begin
              dsub_d = DDrain;
              drain_d = '0;
            end else begin
              phase_d = (n_q != '0) ? PhUpdate : (learn_runs ? PhLearn : PhDone);
            end
          end
          DAxon: begin
            // The lowest pending axon of the word: read its synapse range.
            rest = d_bits_q & (d_bits_q - 64'd1);
            d_bits_d = rest;
            any_d = 1'b1;
            inc_axon = 1'b1;
            if (d_axon_word[31:16] != '0) begin
              e_d = RangeW'(d_axon_word[15:0]);
              e_end_d = RangeW'(d_axon_word[15:0]) + RangeW'(d_axon_word[31:16]);
              dsub_d = DEntry;
            end else if (rest != '0) begin
              dsub_d = DAxon;
            end else if ((AWIdxW + 1)'(d_word_q) + 1'b1 < a_words) begin
              d_word_d = d_word_q + 1'b1;
              dsub_d = DScan;
            end else begin
              dsub_d = DDrain;
              drain_d = '0;
            end
          end
          DEntry: begin
            // One synapse entry per cycle into the accumulate stage.
            acc_v_d = 1'b1;
            acc_n_d = NIdxW'(d_syn[9:0]);
            acc_w_d = scale_weight(d_syn[17:10], group_q[d_syn[20:18]][3:0]);
            inc_synop = 1'b1;
            inc_synrd = 1'b1;
            e_d = e_q + 1'b1;
            if (e_q + 1'b1 == e_end_q) begin
              if (d_bits_q != '0) begin
                dsub_d = DAxon;
              end else if ((AWIdxW + 1)'(d_word_q) + 1'b1 < a_words) begin
                d_word_d = d_word_q + 1'b1;
                dsub_d = DScan;
              end else begin
                dsub_d = DDrain;
                drain_d = '0;
              end
            end
          end
          DDrain: begin
            // DELIVER_PIPE cycles: the accumulate stage empties.
            drain_d = drain_q + 1'b1;
            if (32'(drain_q) + 1 == lifchip_pkg::DELIVER_PIPE) begin
              phase_d = (n_q != '0) ? PhUpdate : (learn_runs ? PhLearn : PhDone);
            end
          end
          default: ;
        endcase
        if (phase_d == PhUpdate) begin
          iss_d = '0;
          tail_d = '0;
        end else if (phase_d == PhLearn) begin
          lsub_d = learn_first(a_q, n_q, wpass);
          la_d = '0;
          ln_d = '0;
          drain_d = '0;
        end
      end
      // ---------------------------------------------------------------- UPDATE (spec §10.4.3)
      PhUpdate: begin
        inc_ucyc = 1'b1;
        if (iss_q != n_q) begin
          dp_in_valid = 1'b1;  // neuron iss_q issued in cycle U0 + iss_q
          iss_d = iss_q + 1'b1;
        end else if (32'(tail_q) + 1 < NPipe) begin
          tail_d = tail_q + 1'b1;
        end
        // Ends after this cycle once U0 + N + NEURON_PIPE is reached and the fan-out unit is idle.
        if (iss_q == n_q && 32'(tail_q) + 1 >= NPipe && fo_idle_next) begin
          phase_d = learn_runs ? PhLearn : PhDone;
          lsub_d = learn_first(a_q, n_q, any_q || spiked_d);
          la_d = '0;
          ln_d = '0;
          drain_d = '0;
        end
      end
      // ---------------------------------------------------------------- LEARN (spec §4.2, §10.4.4)
      PhLearn: begin
        inc_lcyc = 1'b1;
        unique case (lsub_q)
          LPre: begin
            draws = {1'b0, t_draw};
            n_trace = t_count;
            pre_we = 1'b1;
            trace_new = t_out;
            la_d = la_q + 1'b1;
            if (la_q + 1'b1 == a_q) begin
              la_d = '0;
              lsub_d = (n_q != '0) ? LPost : (wpass ? LAxon : LDrain);
            end
          end
          LPost: begin
            draws = {1'b0, t_draw};
            n_trace = t_count;
            post_we = 1'b1;
            trace_new = t_out;
            ln_d = ln_q + 1'b1;
            if (ln_q + 1'b1 == n_q) lsub_d = (wpass && a_q != '0) ? LAxon : LDrain;
          end
          LAxon: begin
            lpre_d = pending_bit(cur_q[word_of(AIdxW'(la_q))], la_q[5:0]);
            if (l_axon_word[31:16] != '0) begin
              e_d = RangeW'(l_axon_word[15:0]);
              e_end_d = RangeW'(l_axon_word[15:0]) + RangeW'(l_axon_word[31:16]);
              lsub_d = LEntry;
            end else if (la_q + 1'b1 != a_q) begin
              la_d = la_q + 1'b1;
            end else begin
              lsub_d = LDrain;
            end
          end
          LEntry: begin
            n = NIdxW'(l_syn[9:0]);
            g = group_q[l_syn[20:18]][28:4];
            post = spk_q[n];
            inc_synrd = 1'b1;
            if (g[4] && (post || lpre_q)) begin
              w = (WW + 3)'($signed(l_syn[17:10]));
              if (post) begin
                w = w + $signed({2'b0, stdp_step(pre_mem[AIdxW'(la_q)], g[8:5], draw1)});
                n_stdp = n_stdp + 2'd1;
              end
              if (lpre_q) begin
                w = w - $signed({2'b0, stdp_step(post_mem[n], g[12:9], post ? draw2 : draw1)});
                n_stdp = n_stdp + 2'd1;
              end
              if (w < (WW + 3)'($signed(g[20:13]))) w = (WW + 3)'($signed(g[20:13]));
              if (w > (WW + 3)'($signed(g[28:21]))) w = (WW + 3)'($signed(g[28:21]));
              draws = n_stdp;
              syn_we = 1'b1;
              syn_new = {l_syn[20:18], w[WW-1:0], l_syn[9:0]};
              inc_synwr = 1'b1;
            end
            e_d = e_q + 1'b1;
            if (e_q + 1'b1 == e_end_q) begin
              if (la_q + 1'b1 != a_q) begin
                la_d = la_q + 1'b1;
                lsub_d = LAxon;
              end else begin
                lsub_d = LDrain;
              end
            end
          end
          LDrain: begin
            drain_d = drain_q + 1'b1;
            if (32'(drain_q) + 1 == lifchip_pkg::LEARN_PIPE) phase_d = PhDone;
          end
          default: ;
        endcase
      end
      PhDone: inc_wcyc = 1'b1;
      default: ;
    endcase

    // The barrier ends the step; `go` starts the next one (both may come in the same cycle).
    if (step_end_i) phase_d = PhIdle;
    if (go_i) begin
      any_d = 1'b0;
      spiked_d = 1'b0;
      d_word_d = '0;
      dsub_d = DScan;
      iss_d = '0;
      tail_d = '0;
      la_d = '0;
      ln_d = '0;
      drain_d = '0;
      lsub_d = learn_first(a_q, n_q, 1'b0);
      phase_d = (a_q != '0) ? PhDeliver :
                (n_q != '0) ? PhUpdate : (learn_runs ? PhLearn : PhDone);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      phase_q <= PhIdle;
      dsub_q <= DScan;
      lsub_q <= LPre;
      d_word_q <= '0;
      d_bits_q <= '0;
      e_q <= '0;
      e_end_q <= '0;
      drain_q <= '0;
      any_q <= 1'b0;
      acc_v_q <= 1'b0;
      acc_n_q <= '0;
      acc_w_q <= '0;
      iss_q <= '0;
      tail_q <= '0;
      spiked_q <= 1'b0;
      la_q <= '0;
      ln_q <= '0;
      lpre_q <= 1'b0;
      fo_active_q <= 1'b0;
      fo_addr_q <= '0;
      fo_end_q <= '0;
    end else if (clr_i) begin
      phase_q <= PhIdle;
      acc_v_q <= 1'b0;
      any_q <= 1'b0;
      spiked_q <= 1'b0;
      fo_active_q <= 1'b0;
    end else begin
      phase_q <= phase_d;
      dsub_q <= dsub_d;
      lsub_q <= lsub_d;
      d_word_q <= d_word_d;
      d_bits_q <= d_bits_d;
      e_q <= e_d;
      e_end_q <= e_end_d;
      drain_q <= drain_d;
      any_q <= any_d;
      acc_v_q <= acc_v_d;
      acc_n_q <= acc_n_d;
      acc_w_q <= acc_w_d;
      iss_q <= iss_d;
      tail_q <= tail_d;
      spiked_q <= spiked_d;
      la_q <= la_d;
      ln_q <= ln_d;
      lpre_q <= lpre_d;
      fo_active_q <= fo_active_d;
      fo_addr_q <= fo_addr_d;
      fo_end_q <= fo_end_d;
    end
  end

  assign done_o = phase_q == PhDone;

  // Packet fields a core does not need on arrival (its own x, y; host bit 0), and state-window
  // index bits beyond this build's neuron count.
  logic unused_inputs;
  assign unused_inputs = ^{arrive_pkt_i[FlitW-1:lifchip_pkg::AXON_INDEX_BITS], rd_n3_i};
  assign axons_o = a_q;

  // ------------------------------------------------------------------ configuration registers
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      p_q <= '0;
      n_q <= '0;
      a_q <= '0;
      s_q <= '0;
      f_q <= '0;
      pre_decay_q <= '0;
      post_decay_q <= '0;
      pre_imp_q <= '0;
      post_imp_q <= '0;
      for (int g = 0; g < Groups; g++) group_q[g] <= GroupDefault;
    end else if (clr_i) begin
      p_q <= '0;
      n_q <= '0;
      a_q <= '0;
      s_q <= '0;
      f_q <= '0;
      pre_decay_q <= '0;
      post_decay_q <= '0;
      pre_imp_q <= '0;
      post_imp_q <= '0;
      for (int g = 0; g < Groups; g++) group_q[g] <= GroupDefault;
    end else if (ld_we_i && ld_sel_i == LdHeader) begin
      unique case (ld_addr_i)
        16'd1: p_q <= PCntW'(ld_data_i);
        16'd2: n_q <= NCntW'(ld_data_i);
        16'd3: a_q <= ACntW'(ld_data_i);
        16'd4: s_q <= SCntW'(ld_data_i);
        16'd5: f_q <= FCntW'(ld_data_i);
        16'd7: begin
          pre_decay_q <= ld_data_i[DW-1:0];
          post_decay_q <= ld_data_i[2*DW-1:DW];
        end
        16'd8: begin
          pre_imp_q <= ld_data_i[TW-1:0];
          post_imp_q <= ld_data_i[2*TW-1:TW];
        end
        default: ;
      endcase
    end else if (ld_we_i && ld_sel_i == 4'(lifchip_pkg::MEM_GROUP)) begin
      group_q[GIdxW'(ld_addr_i)] <= ld_data_i[28:0];
    end
  end

  // ------------------------------------------------------------------ memories
  // Profiles, neuron configuration, axon table, fan-out: written only by the image load.
  always_ff @(posedge clk_i) begin
    if (ld_we_i && ld_sel_i == 4'(lifchip_pkg::MEM_PROFILE)) begin
      if (ld_addr_i[0]) prof_w1[PIdxW'(ld_addr_i >> 1)] <= ld_data_i[20:0];
      else prof_w0[PIdxW'(ld_addr_i >> 1)] <= ld_data_i;
    end
    if (ld_we_i && ld_sel_i == 4'(lifchip_pkg::MEM_NEURON_CFG)) begin
      if (ld_addr_i[0]) ncfg1[NIdxW'(ld_addr_i >> 1)] <= ld_data_i[FanCfgW-1:0];
      else ncfg0[NIdxW'(ld_addr_i >> 1)] <= ld_data_i[16:0];
    end
    if (ld_we_i && ld_sel_i == 4'(lifchip_pkg::MEM_AXON)) axon_mem[AIdxW'(ld_addr_i)] <= ld_data_i;
    if (ld_we_i && ld_sel_i == 4'(lifchip_pkg::MEM_FANOUT)) begin
      fan_mem[FIdxW'(ld_addr_i)] <= ld_data_i[FlitW-1:0];
    end
  end

  // Neuron state: loaded with the image (ref, acc and post-trace start at 0), written back by
  // stage 3 of the neuron pipeline for active updates; acc cleared as each neuron is issued.
  always_ff @(posedge clk_i) begin
    if (ld_we_i && ld_sel_i == LdState) begin
      if (ld_addr_i[0]) begin
        v_mem[NIdxW'(ld_addr_i >> 1)] <= ld_data_i[VW-1:0];
      end else begin
        u_mem[NIdxW'(ld_addr_i >> 1)] <= ld_data_i[UW-1:0];
        ref_mem[NIdxW'(ld_addr_i >> 1)] <= '0;
      end
    end else if (dp_out_valid && dp_out_active) begin
      u_mem[wb_idx] <= dp_out_u;
      v_mem[wb_idx] <= dp_out_v;
      ref_mem[wb_idx] <= dp_out_ref;
    end
  end

  always_ff @(posedge clk_i) begin
    if (ld_we_i && ld_sel_i == LdState && !ld_addr_i[0]) begin
      acc_mem[NIdxW'(ld_addr_i >> 1)] <= '0;
    end else if (dp_in_valid) begin
      acc_mem[iss_idx] <= '0;
    end else if (acc_v_q) begin
      // 32-bit wrapping accumulation (spec §2.3).
      acc_mem[acc_n_q] <= acc_mem[acc_n_q] + acc_w_q;
    end
  end

  always_ff @(posedge clk_i) begin
    if (dp_out_valid) spk_q[wb_idx] <= dp_out_spike;
  end

  always_ff @(posedge clk_i) begin
    if (ld_we_i && ld_sel_i == LdState && !ld_addr_i[0]) begin
      post_mem[NIdxW'(ld_addr_i >> 1)] <= '0;
    end else if (post_we) begin
      post_mem[NIdxW'(ln_q)] <= trace_new;
    end
  end

  always_ff @(posedge clk_i) begin
    if (ld_we_i && ld_sel_i == 4'(lifchip_pkg::MEM_AXON)) begin
      pre_mem[AIdxW'(ld_addr_i)] <= '0;
    end else if (pre_we) begin
      pre_mem[AIdxW'(la_q)] <= trace_new;
    end
  end

  always_ff @(posedge clk_i) begin
    if (ld_we_i && ld_sel_i == 4'(lifchip_pkg::MEM_SYNAPSE)) begin
      syn_mem[SIdxW'(ld_addr_i)] <= ld_data_i[20:0];
    end else if (syn_we) begin
      syn_mem[SIdxW'(e_q)] <= syn_new;
    end
  end

  // Pending bits (spec §3): arrivals set the current bit during INJECT, else the next bit; a bit
  // already set is a collision. The barrier moves next to current.
  logic [AIdxW-1:0]  arr_axon;
  logic [AWIdxW-1:0] arr_word;
  logic              arr_collision;
  assign arr_axon = AIdxW'(arrive_pkt_i[lifchip_pkg::AXON_INDEX_BITS-1:0]);
  assign arr_word = word_of(arr_axon);
  assign arr_collision = pending_bit(inject_phase_i ? cur_q[arr_word] : next_q[arr_word], arr_axon[5:0]);

  for (genvar w = 0; w < AWords; w++) begin : g_pending
    logic [63:0] cur_w, next_w;
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        cur_w <= '0;
        next_w <= '0;
      end else if (clr_i) begin
        cur_w <= '0;
        next_w <= '0;
      end else if (step_end_i) begin
        cur_w <= next_w;
        next_w <= '0;
      end else if (arrive_i && arr_word == AWIdxW'(w)) begin
        if (inject_phase_i) cur_w[arr_axon[5:0]] <= 1'b1;
        else next_w[arr_axon[5:0]] <= 1'b1;
      end
    end
    assign cur_q[w] = cur_w;
    assign next_q[w] = next_w;
  end

  // ------------------------------------------------------------------ counters (spec §8, §10.5)
  localparam int unsigned NCnt = lifchip_pkg::CNT_PER_CORE;
  logic [1:0] inc [NCnt];
  always_comb begin
    for (int i = 0; i < NCnt; i++) inc[i] = '0;
    inc[lifchip_pkg::CNT_AXON_EVENTS] = {1'b0, inc_axon};
    inc[lifchip_pkg::CNT_AXON_MEM_READS] = {1'b0, inc_axon};
    inc[lifchip_pkg::CNT_SYN_OPS] = {1'b0, inc_synop};
    inc[lifchip_pkg::CNT_SYN_MEM_READS] = {1'b0, inc_synrd};
    inc[lifchip_pkg::CNT_SYN_MEM_WRITES] = {1'b0, inc_synwr};
    inc[lifchip_pkg::CNT_NEURON_ACTIVE] = {1'b0, dp_out_valid && dp_out_active};
    inc[lifchip_pkg::CNT_NEURON_IDLE] = {1'b0, dp_out_valid && !dp_out_active};
    inc[lifchip_pkg::CNT_NEURON_MEM_READS] = {1'b0, dp_out_valid};
    inc[lifchip_pkg::CNT_NEURON_MEM_WRITES] = {1'b0, dp_out_valid && dp_out_active};
    inc[lifchip_pkg::CNT_SPIKES] = {1'b0, dp_out_valid && dp_out_spike};
    inc[lifchip_pkg::CNT_PACKETS_SENT] = {1'b0, fo_push};
    inc[lifchip_pkg::CNT_FANOUT_MEM_READS] = {1'b0, fo_push};
    inc[lifchip_pkg::CNT_PACKETS_RECEIVED] = {1'b0, arrive_i};
    inc[lifchip_pkg::CNT_AXON_COLLISIONS] = {1'b0, arrive_i && arr_collision};
    inc[lifchip_pkg::CNT_STDP_UPDATES] = n_stdp;
    inc[lifchip_pkg::CNT_TRACE_UPDATES] = n_trace;
    inc[lifchip_pkg::CNT_CYCLES_DELIVER] = {1'b0, inc_dcyc};
    inc[lifchip_pkg::CNT_CYCLES_UPDATE] = {1'b0, inc_ucyc};
    inc[lifchip_pkg::CNT_CYCLES_LEARN] = {1'b0, inc_lcyc};
    inc[lifchip_pkg::CNT_CYCLES_WAIT] = {1'b0, inc_wcyc};
    inc[lifchip_pkg::CNT_FANOUT_STALLS] = {1'b0, fo_stall};
  end

  // One register per counter the core keeps; the router's ids read 0 here.
  function automatic bit core_counter(int id);
    core_counter = (id >= 0 && id < lifchip_pkg::CNT_LINK_LOCAL) ||
                   (id >= lifchip_pkg::CNT_CYCLES_DELIVER && id <= lifchip_pkg::CNT_FANOUT_STALLS);
  endfunction
  logic [63:0] cnt_q [NCnt];
  for (genvar i = 0; i < NCnt; i++) begin : g_cnt
    if (core_counter(i)) begin : g_kept
      logic [63:0] value;
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) value <= '0;
        else if (clr_i || cnt_clr_i) value <= '0;
        else if (inc[i] != '0) value <= value + 64'(inc[i]);
      end
      assign cnt_q[i] = value;
    end else begin : g_none
      assign cnt_q[i] = '0;
    end
  end
  assign cnt_o = cnt_q[cnt_id_i];

  // ------------------------------------------------------------------ MEM_SEL read window
  always_comb begin
    logic [16:0] addr;
    addr = {1'b0, rd_addr_i};
    rd_data_o = '0;
    rd_err_o = 1'b0;
    unique case (32'(rd_mem_i))
      lifchip_pkg::MEM_PROFILE: begin
        if (addr < 17'(p_q) * 2) begin
          rd_data_o = addr[0] ? 32'(prof_w1[PIdxW'(addr >> 1)]) : 32'(prof_w0[PIdxW'(addr >> 1)]);
        end else rd_err_o = 1'b1;
      end
      lifchip_pkg::MEM_GROUP: begin
        if (addr < 17'(Groups)) rd_data_o = 32'(group_q[GIdxW'(addr)]);
        else rd_err_o = 1'b1;
      end
      lifchip_pkg::MEM_NEURON_CFG: begin
        if (addr < 17'(n_q) * 2) begin
          rd_data_o = addr[0] ? 32'(ncfg1[NIdxW'(addr >> 1)]) : 32'(ncfg0[NIdxW'(addr >> 1)]);
        end else rd_err_o = 1'b1;
      end
      lifchip_pkg::MEM_NEURON_STATE: begin
        if (addr < 17'(n_q) * 3) begin
          unique case (rd_s3_i)
            2'd0: rd_data_o = 32'({u_mem[NIdxW'(rd_n3_i)]});
            2'd1: rd_data_o = 32'({v_mem[NIdxW'(rd_n3_i)]});
            default: rd_data_o = 32'(ref_mem[NIdxW'(rd_n3_i)]);
          endcase
        end else rd_err_o = 1'b1;
      end
      lifchip_pkg::MEM_VOLTAGE: begin  // the read-out window (spec v1.1): v of neuron addr
        if (addr < 17'(n_q)) rd_data_o = 32'({v_mem[NIdxW'(addr)]});
        else rd_err_o = 1'b1;
      end
      lifchip_pkg::MEM_AXON: begin
        if (addr < 17'(a_q)) rd_data_o = axon_mem[AIdxW'(addr)];
        else rd_err_o = 1'b1;
      end
      lifchip_pkg::MEM_SYNAPSE: begin
        if (addr < 17'(s_q)) rd_data_o = 32'(syn_mem[SIdxW'(addr)]);
        else rd_err_o = 1'b1;
      end
      lifchip_pkg::MEM_FANOUT: begin
        if (addr < 17'(f_q)) rd_data_o = 32'(fan_mem[FIdxW'(addr)]);
        else rd_err_o = 1'b1;
      end
      lifchip_pkg::MEM_TRACE: begin
        if (addr < 17'(a_q)) begin
          rd_data_o = 32'(pre_mem[AIdxW'(addr)]);
        end else if (addr >= 17'(lifchip_pkg::AXONS_PER_CORE_MAX) &&
                     addr - 17'(lifchip_pkg::AXONS_PER_CORE_MAX) < 17'(n_q)) begin
          rd_data_o = 32'(post_mem[NIdxW'(addr - 17'(lifchip_pkg::AXONS_PER_CORE_MAX))]);
        end else rd_err_o = 1'b1;
      end
      default: rd_err_o = 1'b1;
    endcase
  end

endmodule
