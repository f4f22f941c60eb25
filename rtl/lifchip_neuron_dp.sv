// The neuron-update datapath of spec §2.4 (Loihi-1 CUBA-LIF, bit for bit) as a pipeline: operands
// enter in the issue cycle (stage 0, read from the core's memories), products are formed in stage 1,
// decay, wrap and saturation in stage 2, threshold and reset in stage 3, whose results the core
// writes back at the end of that cycle. A neuron issued in cycle c therefore has its spike in the
// core's spike queue from c + NEURON_PIPE (spec §10.4). A tag (neuron index, fan-out range) rides
// along unchanged.
module lifchip_neuron_dp #(
  parameter int unsigned TagW = 8,
  localparam int unsigned UW = lifchip_pkg::U_REG_BITS,        // u register, (-2^23, +2^23]
  localparam int unsigned VW = lifchip_pkg::STATE_BITS,        // v, saturating
  localparam int unsigned RW = lifchip_pkg::REFRACTORY_BITS,
  localparam int unsigned DW = lifchip_pkg::DECAY_BITS,
  localparam int unsigned BMW = lifchip_pkg::BIAS_MANT_BITS,
  localparam int unsigned VthW = lifchip_pkg::VTH_BITS,
  localparam int unsigned AccW = lifchip_pkg::ACC_BITS
) (
  input  logic                  clk_i,
  input  logic                  rst_ni,
  input  logic                  clr_i,
  // Stage 0: the neuron issued in this cycle.
  input  logic                  in_valid_i,
  input  logic [TagW-1:0]       in_tag_i,
  input  logic signed [UW-1:0]  in_u_i,
  input  logic signed [VW-1:0]  in_v_i,
  input  logic [RW-1:0]         in_ref_i,
  input  logic signed [AccW-1:0] in_acc_i,
  input  logic signed [BMW-1:0] in_bias_mant_i,
  input  logic signed [3:0]     in_bias_exp_i,
  input  logic [DW-1:0]         in_du_i,
  input  logic [DW-1:0]         in_dv_i,
  input  logic [VthW-1:0]       in_vth_i,
  input  logic                  in_subtract_i,  // reset mode RESET_SUBTRACT
  input  logic [RW-1:0]         in_refractory_i,
  input  logic                  in_readout_i,   // read-out profile (spec §2.6): never spikes
  // Stage 3: the result, written back by the core at the end of this cycle.
  output logic                  out_valid_o,
  output logic [TagW-1:0]       out_tag_o,
  output logic signed [UW-1:0]  out_u_o,
  output logic signed [VW-1:0]  out_v_o,
  output logic [RW-1:0]         out_ref_o,
  output logic                  out_spike_o,
  output logic                  out_active_o  // not idle (spec §2.4): the state is written
);

  localparam int unsigned AInW = lifchip_pkg::A_IN_BITS;
  localparam int unsigned InShift = lifchip_pkg::INPUT_SHIFT;
  localparam int unsigned ThrW = VthW + lifchip_pkg::THRESHOLD_SHIFT;
  localparam int unsigned BiasW = BMW + 8;    // bias_mant << 7 at most
  localparam int unsigned PW = UW + DW + 2;   // products: 25 x 13 bits signed, with margin
  localparam int unsigned SumW = VW + 3;      // v + u + bias before saturation
  localparam logic signed [AccW-1:0] AInMax = AccW'((1 << (AInW - 1)) - 1);
  localparam logic signed [AccW-1:0] AInMin = -AccW'(1 << (AInW - 1));
  localparam logic signed [SumW-1:0] Two23 = SumW'(1 << (VW - 1));
  localparam logic signed [SumW-1:0] Two24 = SumW'(1 << VW);
  localparam logic signed [SumW-1:0] VMax = Two23 - SumW'(1);
  localparam logic [DW:0] DecayOne = (DW + 1)'(lifchip_pkg::DECAY_ONE);

  // trunc0(p / 2^DECAY_BITS): the shift rounds toward zero for negative products too.
  function automatic logic signed [PW-1:0] trunc0(logic signed [PW-1:0] p);
    logic signed [PW-1:0] bump;
    bump = p[PW-1] ? PW'((1 << DW) - 1) : '0;
    trunc0 = (p + bump) >>> DW;
  endfunction

  // ---------------- stage 0 -> 1: saturate the input, derive the neuron's constants.
  logic signed [AInW-1:0]  a_in0;
  logic signed [BiasW-1:0] bias0;
  logic                    idle0;
  always_comb begin
    logic signed [AccW-1:0] a;
    logic signed [BiasW-1:0] m;
    a = in_acc_i;
    if (a > AInMax) a = AInMax;
    if (a < AInMin) a = AInMin;
    a_in0 = AInW'(a);
    m = BiasW'(in_bias_mant_i);
    bias0 = in_bias_exp_i[3] ? (m >>> (4'(-in_bias_exp_i))) : (m <<< in_bias_exp_i[2:0]);
    idle0 = in_u_i == '0 && in_v_i == '0 && a_in0 == '0 && bias0 == '0 && in_ref_i == '0;
  end

  logic                    s1_valid_q;
  logic [TagW-1:0]         s1_tag_q;
  logic signed [UW-1:0]    s1_u_q;
  logic signed [VW-1:0]    s1_v_q;
  logic [RW-1:0]           s1_ref_q;
  logic signed [AInW-1:0]  s1_a_in_q;
  logic signed [BiasW-1:0] s1_bias_q;
  logic [DW:0]             s1_fu_q, s1_fv_q;  // decay factors 4096 - (du + 1) and 4096 - dv
  logic [ThrW-1:0]         s1_thr_q;
  logic                    s1_sub_q, s1_idle_q, s1_ro_q;
  logic [RW-1:0]           s1_refr_q;

  // ---------------- stage 1 -> 2: the two decay products.
  logic signed [PW-1:0] pu1, pv1;
  assign pu1 = PW'(s1_u_q) * $signed({1'b0, s1_fu_q});
  assign pv1 = PW'(s1_v_q) * $signed({1'b0, s1_fv_q});

  logic                    s2_valid_q;
  logic [TagW-1:0]         s2_tag_q;
  logic signed [PW-1:0]    s2_pu_q, s2_pv_q;
  logic signed [VW-1:0]    s2_v_q;
  logic [RW-1:0]           s2_ref_q;
  logic signed [AInW-1:0]  s2_a_in_q;
  logic signed [BiasW-1:0] s2_bias_q;
  logic [ThrW-1:0]         s2_thr_q;
  logic                    s2_sub_q, s2_idle_q, s2_ro_q;
  logic [RW-1:0]           s2_refr_q;

  // ---------------- stage 2 -> 3: u wraps once into (-2^23, +2^23], v saturates.
  logic signed [UW-1:0] u2;
  logic signed [VW-1:0] v2;
  always_comb begin
    logic signed [SumW-1:0] u, v;
    u = SumW'(trunc0(s2_pu_q)) + (SumW'(s2_a_in_q) <<< InShift);
    if (u > Two23) u = u - Two24;
    else if (u <= -Two23) u = u + Two24;
    u2 = UW'(u);
    v = SumW'(trunc0(s2_pv_q)) + u + SumW'(s2_bias_q);
    if (v > VMax) v = VMax;
    if (v < -VMax) v = -VMax;
    v2 = VW'(v);
  end

  logic                  s3_valid_q;
  logic [TagW-1:0]       s3_tag_q;
  logic signed [UW-1:0]  s3_u_q;
  logic signed [VW-1:0]  s3_v1_q, s3_v_q;  // new v, and v before the update (kept while refractory)
  logic [RW-1:0]         s3_ref_q;
  logic [ThrW-1:0]       s3_thr_q;
  logic                  s3_sub_q, s3_idle_q, s3_ro_q;
  logic [RW-1:0]         s3_refr_q;

  // ---------------- stage 3: refractory hold, strict threshold, reset.
  always_comb begin
    logic signed [VW:0] thr;
    thr = $signed({1'b0, VW'(s3_thr_q)});
    out_valid_o = s3_valid_q;
    out_tag_o = s3_tag_q;
    out_u_o = s3_u_q;
    out_active_o = !s3_idle_q;
    out_spike_o = 1'b0;
    out_v_o = s3_v1_q;
    out_ref_o = '0;
    if (s3_ref_q != '0) begin
      out_v_o = s3_v_q;
      out_ref_o = s3_ref_q - 1'b1;
    end else if (!s3_ro_q && (VW + 1)'(s3_v1_q) > thr) begin
      out_spike_o = 1'b1;
      out_v_o = s3_sub_q ? VW'((VW + 1)'(s3_v1_q) - thr) : '0;
      out_ref_o = s3_refr_q;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s2_valid_q <= 1'b0;
      s3_valid_q <= 1'b0;
    end else if (clr_i) begin
      s1_valid_q <= 1'b0;
      s2_valid_q <= 1'b0;
      s3_valid_q <= 1'b0;
    end else begin
      s1_valid_q <= in_valid_i;
      s2_valid_q <= s1_valid_q;
      s3_valid_q <= s2_valid_q;
    end
  end

  // Data stages carry no reset: they are qualified by the valid bits, and load only with a neuron
  // (an idle pipeline holds still).
  always_ff @(posedge clk_i) begin
    if (in_valid_i) begin
      s1_tag_q  <= in_tag_i;
      s1_u_q    <= in_u_i;
      s1_v_q    <= in_v_i;
      s1_ref_q  <= in_ref_i;
      s1_a_in_q <= a_in0;
      s1_bias_q <= bias0;
      s1_fu_q   <= DecayOne - (DW + 1)'(in_du_i) - 1'b1;
      s1_fv_q   <= DecayOne - (DW + 1)'(in_dv_i);
      s1_thr_q  <= ThrW'(in_vth_i) << lifchip_pkg::THRESHOLD_SHIFT;
      s1_sub_q  <= in_subtract_i;
      s1_idle_q <= idle0;
      s1_refr_q <= in_refractory_i;
      s1_ro_q   <= in_readout_i;
    end
    if (s1_valid_q) begin
      s2_tag_q  <= s1_tag_q;
      s2_pu_q   <= pu1;
      s2_pv_q   <= pv1;
      s2_v_q    <= s1_v_q;
      s2_ref_q  <= s1_ref_q;
      s2_a_in_q <= s1_a_in_q;
      s2_bias_q <= s1_bias_q;
      s2_thr_q  <= s1_thr_q;
      s2_sub_q  <= s1_sub_q;
      s2_idle_q <= s1_idle_q;
      s2_refr_q <= s1_refr_q;
      s2_ro_q   <= s1_ro_q;
    end
    if (s2_valid_q) begin
      s3_tag_q  <= s2_tag_q;
      s3_u_q    <= u2;
      s3_v1_q   <= v2;
      s3_v_q    <= s2_v_q;
      s3_ref_q  <= s2_ref_q;
      s3_thr_q  <= s2_thr_q;
      s3_sub_q  <= s2_sub_q;
      s3_idle_q <= s2_idle_q;
      s3_refr_q <= s2_refr_q;
      s3_ro_q   <= s2_ro_q;
    end
  end

endmodule
