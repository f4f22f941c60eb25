// Synchronous FIFO with start-of-cycle occupancy (spec §10.2): a push in cycle c is visible from
// c + 1, and count_o is the occupancy at the start of the cycle, whatever is pushed or popped in it.
// Used for the router input FIFOs, the host spike FIFOs and a core's spike queue.
module lifchip_fifo #(
  parameter int unsigned Width = 21,
  parameter int unsigned Depth = 4,
  localparam int unsigned PtrW = (Depth > 1) ? $clog2(Depth) : 1,
  localparam int unsigned CntW = $clog2(Depth + 1)
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             clr_i,    // synchronous clear: empties the FIFO
  input  logic             push_i,   // the caller guarantees count_o < Depth (or pop_i)
  input  logic [Width-1:0] data_i,
  input  logic             pop_i,    // the caller guarantees count_o > 0
  output logic [Width-1:0] data_o,   // head entry, valid when count_o > 0
  output logic [CntW-1:0]  count_o
);

  localparam logic [PtrW-1:0] LastPtr = PtrW'(Depth - 1);

  logic [Width-1:0] mem_q [Depth];
  logic [PtrW-1:0]  head_q, tail_q;
  logic [CntW-1:0]  count_q;

  function automatic logic [PtrW-1:0] next_ptr(logic [PtrW-1:0] p);
    next_ptr = (p == LastPtr) ? '0 : p + 1'b1;
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      head_q  <= '0;
      tail_q  <= '0;
      count_q <= '0;
    end else if (clr_i) begin
      head_q  <= '0;
      tail_q  <= '0;
      count_q <= '0;
    end else begin
      if (push_i) tail_q <= next_ptr(tail_q);
      if (pop_i) head_q <= next_ptr(head_q);
      if (push_i && !pop_i) count_q <= count_q + 1'b1;
      else if (pop_i && !push_i) count_q <= count_q - 1'b1;
    end
  end

  // Storage has no reset: entries are only read after they were written.
  always_ff @(posedge clk_i) begin
    if (push_i && !clr_i) mem_q[tail_q] <= data_i;
  end

  assign data_o  = mem_q[head_q];
  assign count_o = count_q;

endmodule
