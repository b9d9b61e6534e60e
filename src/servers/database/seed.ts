import type Database from "better-sqlite3";

type Row = Record<string, string | number | null>;

/** Seed rows, enough for the three shipped workflows and their tests to find something real. */
export const SEED: Record<string, Row[]> = {
  customers: [
    { id: 1, name: "Alice Johnson", email: "alice@example.com", tier: "premium", company: "Acme Corp" },
    { id: 2, name: "Bob Smith", email: "bob@example.com", tier: "basic", company: null },
    { id: 3, name: "Carol Diaz", email: "carol@example.com", tier: "enterprise", company: "Globex" },
    { id: 4, name: "Dan Wu", email: "dan@example.com", tier: "basic", company: "Initech" },
    { id: 5, name: "Eve Martin", email: "eve@example.com", tier: "premium", company: "Umbrella" },
    {
      id: 6,
      name: "Frank Okafor",
      email: "frank@example.com",
      tier: "enterprise",
      company: "Stark Industries",
    },
    { id: 7, name: "Grace Lee", email: "grace@example.com", tier: "basic", company: null },
    { id: 8, name: "Hiro Tanaka", email: "hiro@example.com", tier: "premium", company: "Tokyo Traders" },
    { id: 9, name: "Ingrid Berg", email: "ingrid@example.com", tier: "basic", company: "Nordic Goods" },
    {
      id: 10,
      name: "Jamal Reed",
      email: "jamal@example.com",
      tier: "enterprise",
      company: "Wayne Enterprises",
    },
  ],
  products: [
    { id: 1, sku: "LAPTOP-001", name: "Laptop Pro 14", category: "computers", price: 1299.0, stock: 25 },
    { id: 2, sku: "PHONE-001", name: "Smartphone X", category: "phones", price: 899.0, stock: 40 },
    { id: 3, sku: "MOUSE-001", name: "Wireless Mouse", category: "accessories", price: 29.99, stock: 200 },
    { id: 4, sku: "KEYB-001", name: "Mechanical Keyboard", category: "accessories", price: 119.0, stock: 80 },
    { id: 5, sku: "MON-001", name: "27-inch Monitor", category: "displays", price: 349.0, stock: 30 },
    {
      id: 6,
      sku: "HEAD-001",
      name: "Noise-cancelling Headphones",
      category: "audio",
      price: 249.0,
      stock: 60,
    },
    {
      id: 7,
      sku: "CAM-001",
      name: "Weatherproof Action Camera",
      category: "cameras",
      price: 399.0,
      stock: 15,
    },
    { id: 8, sku: "DOCK-001", name: "USB-C Dock", category: "accessories", price: 189.0, stock: 0 },
  ],
  inventory: [
    { id: 1, sku: "LAPTOP-001", warehouse: "london", stock: 25, reserved: 0 },
    { id: 2, sku: "PHONE-001", warehouse: "london", stock: 40, reserved: 0 },
    { id: 3, sku: "MOUSE-001", warehouse: "new-york", stock: 200, reserved: 0 },
    { id: 4, sku: "KEYB-001", warehouse: "new-york", stock: 80, reserved: 0 },
    { id: 5, sku: "MON-001", warehouse: "tokyo", stock: 30, reserved: 0 },
    { id: 6, sku: "HEAD-001", warehouse: "sydney", stock: 60, reserved: 0 },
    { id: 7, sku: "CAM-001", warehouse: "paris", stock: 15, reserved: 0 },
    { id: 8, sku: "DOCK-001", warehouse: "paris", stock: 0, reserved: 0 },
  ],
  analytics: [
    { metric: "revenue", value: 125000, period: "2024-04", dimension: "global" },
    { metric: "revenue", value: 138500, period: "2024-05", dimension: "global" },
    { metric: "revenue", value: 142750, period: "2024-06", dimension: "global" },
    { metric: "active_users", value: 18400, period: "2024-06", dimension: "global" },
    { metric: "conversion_rate", value: 3.4, period: "2024-06", dimension: "web" },
    { metric: "churn_rate", value: 2.1, period: "2024-06", dimension: "global" },
    { metric: "support_tickets", value: 412, period: "2024-06", dimension: "global" },
    { metric: "revenue", value: 52000, period: "2024-06", dimension: "europe" },
    { metric: "revenue", value: 61000, period: "2024-06", dimension: "north-america" },
    { metric: "revenue", value: 29750, period: "2024-06", dimension: "asia-pacific" },
    { metric: "weather_related_delays", value: 37, period: "2024-06", dimension: "shipping" },
    { metric: "average_order_value", value: 212.5, period: "2024-06", dimension: "global" },
  ],
  users: [
    { id: 1, username: "alice", email: "alice@example.com", full_name: "Alice Johnson", customer_id: 1 },
    { id: 2, username: "carol", email: "carol@example.com", full_name: "Carol Diaz", customer_id: 3 },
  ],
  payments: [
    {
      id: 1,
      user_id: 1,
      amount: 1299.0,
      currency: "USD",
      status: "completed",
      method: "card",
      transaction_id: "txn-seed-0001",
    },
  ],
  shipments: [
    {
      id: 1,
      user_id: 1,
      payment_id: 1,
      sku: "LAPTOP-001",
      quantity: 1,
      address: "1 Main St, London",
      tracking_number: "TRK-SEED-0001",
      status: "delivered",
    },
  ],
  notifications: [
    {
      id: 1,
      user_id: 1,
      channel: "email",
      recipient: "alice@example.com",
      subject: "Your order shipped",
      message: "Tracking number TRK-SEED-0001",
    },
  ],
};

/** Inserts the seed rows (the tables must exist and be empty). */
export function seed(db: Database.Database): void {
  for (const [table, rows] of Object.entries(SEED)) {
    for (const row of rows) {
      const columns = Object.keys(row);
      const sql = `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
      db.prepare(sql).run(...Object.values(row));
    }
  }
}
