// Package graph runs state graphs: LangGraph's StateGraph in Go, with a
// typed state.
//
// A graph is built from nodes that read the state and return an update,
// edges that say which node runs next, and conditional edges whose route
// function picks the next node from the state. [New] starts a [Builder];
// [Builder.Compile] validates it and returns a [Graph], which is a
// [runnable.Runnable] from the state type to itself and can be served with
// serve.AddRoutes like any other runnable.
//
// # Execution
//
// A run proceeds in steps, as LangGraph's Pregel loop does. Step 0 (the
// hidden "__start__" node) merges the input into the zero state with the
// reducer and follows the edges leaving [START]. Each later step runs every
// node that was scheduled by the step before, all of them on the same
// state; their updates are then merged into the state with the reducer, in
// node name order, and their outgoing edges schedule the next step. The run
// ends when a step schedules no node: every path reached [END], or a node
// without outgoing edges.
//
// The reducer merges an update into the state. Without one, a node's
// update replaces the whole state, and a step that runs two nodes in
// parallel fails with [ErrConflictingUpdates]. Graphs whose state holds a
// conversation merge it with [AppendMessages].
//
// # Recursion limit
//
// The config's recursion_limit (default 25) bounds the steps of a run. As
// in LangGraph, the check comes before the graph looks for the next node:
// a run whose step counter passes the limit fails with an error wrapping
// [runnable.ErrRecursionLimit], so with the default limit a run can finish
// at most 24 node steps, and a run that needs more executes 25 and fails.
//
// # Tracing and streaming
//
// A run traces as a chain named "LangGraph" (see [Graph.Named]). Every node
// execution is a nested chain run named after the node, tagged
// graph:step:N, with LangGraph's metadata (langgraph_step, langgraph_node,
// langgraph_triggers, langgraph_path), which nested runs inherit; so chat
// model and tool runs made by a node appear under it in stream_events.
// [Graph.Stream] yields the state after each step (LangGraph's "values"
// stream mode); [Graph.Updates] yields what each node returned ("updates").
package graph
