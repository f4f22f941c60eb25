// The per-core 16-bit Galois LFSR of spec §4.4 (taps LFSR_TAPS). A draw advances the state and
// returns the new state; the learning unit makes up to two draws in one cycle (a potentiation and
// a depression of the same synapse), so draw1_o and draw2_o are the first and second next states.
module lifchip_lfsr #(
  localparam int unsigned W = lifchip_pkg::LFSR_BITS
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         load_i,   // load the seed (image load); also used to reset to 1
  input  logic [W-1:0] seed_i,
  input  logic [1:0]   draws_i,  // draws made in this cycle: 0, 1 or 2
  output logic [W-1:0] draw1_o,
  output logic [W-1:0] draw2_o
);

  localparam logic [W-1:0] Taps = W'(lifchip_pkg::LFSR_TAPS);

  function automatic logic [W-1:0] advance(logic [W-1:0] s);
    advance = (s >> 1) ^ (s[0] ? Taps : '0);
  endfunction

  logic [W-1:0] state_q;
  assign draw1_o = advance(state_q);
  assign draw2_o = advance(draw1_o);

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= W'(1);
    end else if (load_i) begin
      state_q <= seed_i;
    end else if (draws_i == 2'd1) begin
      state_q <= draw1_o;
    end else if (draws_i == 2'd2) begin
      state_q <= draw2_o;
    end
  end

endmodule
